// Choosing the matrix-product backend from the run's config: 'js' (the readable TypeScript
// kernel, one thread), 'wasm' (SIMD on worker threads) or 'wasm-fma' (the same with relaxed SIMD's
// fused multiply-add in the micro-kernel: opt-in, since its bits differ). Where wasm SIMD is
// missing, 'wasm' falls back to 'js', and where relaxed SIMD is, 'wasm-fma' to 'wasm', each with
// a one-line notice.
import type { Backend } from '../config/config.ts';
import { createJsMatmul, type MatmulBackend } from './backend.ts';
import { createWasmMatmul, wasmFmaAvailable, wasmSimdAvailable } from './wasm/index.ts';

export function createBackend(name: Backend, threads: number, notice: (msg: string) => void): MatmulBackend {
  if (name === 'wasm-fma') {
    if (wasmFmaAvailable()) return createWasmMatmul({ threads, fma: true });
    notice('notice: this runtime has no WebAssembly relaxed SIMD; using the wasm backend (mul then add)');
  }
  if (name !== 'js') {
    if (wasmSimdAvailable()) return createWasmMatmul({ threads });
    notice('notice: this runtime has no WebAssembly SIMD with shared memory; using the js backend');
  }
  return createJsMatmul();
}
