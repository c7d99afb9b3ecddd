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

/** What matmulSparse measured and chose: the share of a's (panel, k) pairs with a non-zero, and whether it skipped the rest. */
export interface SparseProduct {
  density: number;
  sparse: boolean;
}

/**
 * Serial work of the calling thread that can overlap the workers' share of the coming products:
 * beside(fn) runs fn on the calling thread during the next product whose tasks the workers share
 * (before the calling thread claims any: dynamic claiming then evens the load), in the order
 * given; without workers at once. flush() runs what is still held, at once. Whatever fn does
 * must not depend on when it runs between the call and the next flush().
 */
export interface SideWork {
  beside(fn: () => void): void;
  flush(): void;
}

/** The calling thread alone: beside(fn) runs fn at once. */
export const INLINE_SIDE: SideWork = { beside: (fn) => fn(), flush: () => {} };

export interface MatmulBackend {
  /** 'js' or 'wasm'. */
  readonly name: string;
  /** Threads the products run on (the js backend always uses 1). */
  readonly threads: number;
  /** c (M, N) = a (M, K) · b (K, N); c is overwritten. Any strides and offsets. */
  matmul(c: Mat, a: Mat, b: Mat): void;
  /**
   * The same product with the same bits, skipping the k where a row panel of a is all zeros (the
   * first layer's products on image data), when the measured share of kept (panel, k) pairs is low
   * enough to pay; else matmul itself. Absent where the backend has no such kernel (js).
   */
  matmulSparse?(c: Mat, a: Mat, b: Mat): SparseProduct;
  /** Runs the work around the products (row-runner.ts): on the same threads (wasm), or inline (js). */
  readonly rows: RowRunner;
  /** Jobs that worker threads took part in so far (wasm: CTRL.ENTERED); absent where there are no workers. */
  workerJobs?(): number;
  /** Serial work beside the products (wasm with workers); absent = INLINE_SIDE. */
  readonly side?: SideWork;
  /** Release workers and memory. The backend must not be used afterwards. */
  close(): void;
}

/**
 * The product of a run's first layer (x̂·W₁ and x̂ᵀ·dZ; the config's --sparse-input): with 'auto' the
 * backend's matmulSparse where it has one (wasm: over the non-zeros of x̂ when sparse enough; the
 * same bits), else its matmul.
 */
export function inputProduct(backend: MatmulBackend, mode: 'auto' | 'off'): (c: Mat, a: Mat, b: Mat) => void {
  const sparse = backend.matmulSparse?.bind(backend);
  if (mode === 'off' || sparse === undefined) return backend.matmul.bind(backend);
  return (c, a, b) => void sparse(c, a, b);
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
