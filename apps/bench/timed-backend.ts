// A backend that times what it runs, to split a training step's time: the wall time of every
// matmul call (by shape; the sparse products of the first layer apart) and of every row job (by
// task name), summed, and the densities the sparse products measured. It wraps a real backend and
// changes nothing it computes. Used by the bench's training rows (matmul share) and by
// scripts/profile-step.ts (where a step's time goes).
import type { MatmulBackend, SparseProduct } from '../../src/linalg/backend.ts';
import type { RowRunner } from '../../src/linalg/row-runner.ts';

export interface TimedBackend {
  backend: MatmulBackend;
  /** ms spent in matmul calls so far. */
  ms: () => number;
  /** With detail: ms by matmul shape ('M×K·K×N') and by row task name, so far (else empty). */
  byMatmul: Map<string, number>;
  byRowTask: Map<string, number>;
  /** Every matmulSparse call so far: its shape ('M×K·K×N') and what it measured and chose. */
  sparse: { shape: string; use: SparseProduct }[];
  /** Forget the sums (after a warm-up). */
  reset: () => void;
}

/**
 * Wrap `be`. With detail, each matmul call is also summed by shape and each row job is timed by
 * task (two clock reads and a map update per call); without, only the matmul total is kept.
 */
export function timedBackend(be: MatmulBackend, detail = false): TimedBackend {
  let ms = 0;
  const byMatmul = new Map<string, number>(), byRowTask = new Map<string, number>();
  const add = (m: Map<string, number>, key: string, t: number): void => void m.set(key, (m.get(key) ?? 0) + t);
  const sparse: TimedBackend['sparse'] = [];
  const sparseMm = be.matmulSparse?.bind(be);
  const rows: RowRunner = !detail ? be.rows : {
    threads: be.rows.threads,
    run: (task, args, size, work) => {
      const t0 = performance.now();
      be.rows.run(task, args, size, work);
      add(byRowTask, task.name, performance.now() - t0);
    },
    waitUntilShared: (wait) => be.rows.waitUntilShared(wait),
    sharedJobs: () => be.rows.sharedJobs(),
  };
  const backend: MatmulBackend = {
    name: be.name,
    threads: be.threads,
    matmul: (c, a, b) => {
      const t0 = performance.now();
      be.matmul(c, a, b);
      const t = performance.now() - t0;
      ms += t;
      if (detail) add(byMatmul, `${a.shape[0]}×${a.shape[1]}·${b.shape[0]}×${b.shape[1]}`, t);
    },
    ...(sparseMm && {
      matmulSparse: (c, a, b) => {
        const t0 = performance.now();
        const use = sparseMm(c, a, b);
        const t = performance.now() - t0, shape = `${a.shape[0]}×${a.shape[1]}·${b.shape[0]}×${b.shape[1]}`;
        ms += t;
        sparse.push({ shape, use });
        if (detail) add(byMatmul, `${use.sparse ? 'sparse' : 'dense'} ${shape}`, t);
        return use;
      },
    }),
    rows,
    ...(be.side && { side: be.side }),
    close: () => {}, // the caller closes the wrapped backend
  };
  const reset = (): void => {
    ms = 0;
    byMatmul.clear();
    byRowTask.clear();
    sparse.length = 0;
  };
  return { backend, ms: () => ms, byMatmul, byRowTask, sparse, reset };
}
