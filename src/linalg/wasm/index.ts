// The WebAssembly SIMD matmul under Node: the public surface. createWasmMatmul({ threads }) returns
// a synchronous, deterministic MatmulBackend on worker_threads; wasmSimdAvailable() says whether it
// can run here. Everything else in this folder (assembler, kernel bytes, staging, pool) is
// internal; a browser starts the same backend on Web Workers (src/play/web-threads.ts).
import type { MatmulBackend } from '../backend.ts';
import { makeWasmMatmul, type WasmMatmulOptions } from './matmul.ts';
import { spawnNodeThread } from './pool-node.ts';

export { type WasmMatmulOptions } from './matmul.ts';
export { wasmSimdAvailable } from './simd.ts';
export type { MatmulBackend } from '../backend.ts';

export function createWasmMatmul(opts: WasmMatmulOptions): MatmulBackend {
  return makeWasmMatmul(opts, { spawn: spawnNodeThread });
}
