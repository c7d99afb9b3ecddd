// The WebAssembly SIMD matmul under Node: the public surface. createWasmMatmul({ threads }) returns
// a synchronous, deterministic MatmulBackend on worker_threads; wasmSimdAvailable() says whether it
// can run here. Everything else in this folder (assembler, kernel bytes, staging, pool) is
// internal; a browser starts the same backend on Web Workers (apps/play/web-threads.ts).
import { setFlagsFromString } from 'node:v8';
import type { MatmulBackend } from '../backend.ts';
import { makeWasmMatmul, type WasmMatmulOptions } from './matmul.ts';
import { nodeThreads } from './pool-node.ts';
import { wasmSimdAvailable } from './simd.ts';

export { type WasmMatmulOptions } from './matmul.ts';
export { wasmSimdAvailable };
export type { MatmulBackend } from '../backend.ts';

export function createWasmMatmul(opts: WasmMatmulOptions): MatmulBackend {
  return makeWasmMatmul(opts, { spawn: nodeThreads(opts.rowTasks?.url) });
}

/**
 * Whether the opt-in FMA kernel (WasmMatmulOptions.fma) can run here. Relaxed SIMD is on by
 * default from Node 22; Node 20 has it behind a V8 flag, which this sets (once, for the whole
 * process, before any module that needs it is compiled) when the probe fails without it.
 */
export function wasmFmaAvailable(): boolean {
  if (!wasmSimdAvailable()) return false;
  if (wasmSimdAvailable(true)) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return wasmSimdAvailable(true);
}
