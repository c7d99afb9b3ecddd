// Choosing the matrix-product backend from the run's config: 'js' (the readable TypeScript
// kernel, one thread) or 'wasm' (SIMD on worker threads). Where wasm SIMD is missing, 'wasm'
// falls back to 'js' with a one-line notice.
import { createJsMatmul, type MatmulBackend } from './backend.ts';
import { createWasmMatmul, wasmSimdAvailable } from './wasm/index.ts';

export function createBackend(name: 'wasm' | 'js', threads: number, notice: (msg: string) => void): MatmulBackend {
  if (name === 'wasm') {
    if (wasmSimdAvailable()) return createWasmMatmul({ threads });
    notice('notice: this runtime has no WebAssembly SIMD with shared memory; using the js backend');
  }
  return createJsMatmul();
}
