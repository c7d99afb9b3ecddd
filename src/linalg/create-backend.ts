// Choosing the matrix-product backend from the run's config: 'js' (the readable TypeScript
// kernel, one thread) or 'wasm' (SIMD on worker threads). Where wasm SIMD is missing, 'wasm'
// falls back to 'js' with a one-line notice.
import { createJsMatmul, type MatmulBackend } from './backend.ts';

export function createBackend(name: 'wasm' | 'js', threads: number, notice: (msg: string) => void): MatmulBackend {
  if (name === 'wasm') {
    notice('notice: the wasm backend is not built yet; using js');
  }
  void threads;
  return createJsMatmul();
}
