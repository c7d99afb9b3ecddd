// Choosing the matrix-product backend from the run's config: 'js' (the readable TypeScript
// kernel, one thread), 'wasm' (SIMD on worker threads) or 'wasm-fma' (the same with relaxed SIMD's
// fused multiply-add in the micro-kernel: opt-in, since its bits differ). Where wasm SIMD is
// missing, 'wasm' falls back to 'js', and where relaxed SIMD is, 'wasm-fma' to 'wasm', each with
// a one-line notice. The wasm backend's workers run the row jobs of `rowTasks`, which the caller
// gives (src/run/backend.ts makeBackend gives src/run/row-tasks.ts's), so that this layer imports
// nothing above it.
import { createJsMatmul, type BackendName, type MatmulBackend } from './backend.ts';
import type { RowTaskTable } from './row-runner.ts';
import { createWasmMatmul, wasmFmaAvailable, wasmSimdAvailable } from './wasm/index.ts';

export type { BackendName } from './backend.ts';

export function createBackend(name: BackendName, threads: number, rowTasks: RowTaskTable, notice: (msg: string) => void): MatmulBackend {
  if (name === 'wasm-fma') {
    if (wasmFmaAvailable()) return createWasmMatmul({ threads, fma: true, rowTasks });
    notice('notice: this runtime has no WebAssembly relaxed SIMD; using the wasm backend (mul then add)');
  }
  if (name !== 'js') {
    if (wasmSimdAvailable()) return createWasmMatmul({ threads, rowTasks });
    notice('notice: this runtime has no WebAssembly SIMD with shared memory; using the js backend');
  }
  return createJsMatmul();
}
