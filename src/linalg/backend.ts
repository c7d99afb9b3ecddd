// The matrix-product backend interface, and the choice between the two implementations:
// `js`, the readable blocked TypeScript kernel (single-threaded, the reference and fallback), and
// `wasm`, the WebAssembly SIMD kernel on a pool of worker threads, which also runs the row jobs. Both are deterministic: the
// same inputs give the same bits on every run and for every thread count. They may differ from
// each other in the last bits (they sum in different orders and precisions).
import { makeBlockedScratch, matmulBlocked } from './matmul-blocked.ts';
import { INLINE_ROWS, type RowRunner } from './row-runner.ts';
import type { Mat } from './view.ts';

/** The backends by name (the --backend option of the table of fields takes exactly these). */
export const BACKEND_NAMES = ['wasm', 'js', 'wasm-fma'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface MatmulBackend {
  /** 'js' or 'wasm'. */
  readonly name: string;
  /** Threads the products run on (the js backend always uses 1). */
  readonly threads: number;
  /** c (M, N) = a (M, K) · b (K, N); c is overwritten. Any strides and offsets. */
  matmul(c: Mat, a: Mat, b: Mat): void;
  /** Runs the work around the products (row-runner.ts): on the same threads (wasm), or inline (js). */
  readonly rows: RowRunner;
  /** Jobs that worker threads took part in so far (wasm: CTRL.ENTERED); absent where there are no workers. */
  workerJobs?(): number;
  /** Release workers and memory. The backend must not be used afterwards. */
  close(): void;
}

/** The readable TypeScript backend: matmulBlocked on the calling thread. */
export function createJsMatmul(): MatmulBackend {
  const scratch = makeBlockedScratch();
  return {
    name: 'js',
    threads: 1,
    matmul: (c, a, b) => matmulBlocked(c, a, b, scratch),
    rows: INLINE_ROWS,
    close: () => {},
  };
}
