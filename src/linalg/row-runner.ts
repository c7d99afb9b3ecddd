// Running the work around the matrix products (row kernels, column sums, optimizer updates) on
// the backend's threads. A RowTask does units lo..hi-1 of a job (rows, columns or elements) and
// every unit's result depends on that unit alone, so how [0, size) is cut into ranges, and which
// thread runs which range, never changes a bit. INLINE_ROWS runs the whole range on the calling
// thread (the js backend, tests in float64); the wasm backend's runner shares it with its pool
// (wasm/row-jobs.ts) when every array lives in shared memory (shared-floats.ts).
import type { Floats } from './view.ts';

/** One argument of a row task: a number or an array (shared memory when the job is to be shared). */
export type RowArg = number | Floats | Int32Array | Uint8Array;
/** A row task's arguments, in order: a tuple of RowArgs (a worker receives them in that order). */
export type RowArgs = readonly RowArg[];

/**
 * A kernel as a row job over arguments of types A (a tuple named like the comment above each task
 * lists them): defined beside its kernel (rowTask), collected by name in src/run/row-tasks.ts, the
 * table a worker thread loads. `fn` is a method, so that a task of any argument types is also a
 * plain RowTask (the table by name, and a worker, whose arguments are decoded by position); the
 * arguments of a call site are checked against A by RowRunner.run.
 */
export interface RowTask<A extends RowArgs = RowArgs> {
  readonly name: string;
  /** Do units lo..hi-1 of the job whose arguments are `args`. */
  fn(args: A, lo: number, hi: number): void;
}

export interface RowRunner {
  /** Threads a job may run on (1: the calling thread only). */
  readonly threads: number;
  /**
   * task.fn(args, lo, hi) over [0, size), in ranges; `work` ≈ the job's element operations (small jobs stay on the calling
   * thread). The task alone fixes A: `args` must have its argument types.
   */
  run<A extends RowArgs>(task: RowTask<A>, args: NoInfer<A>, size: number, work: number): void;
  /** Wait up to `ms` until jobs can be shared; true if they can (false at once for INLINE_ROWS). Tests and benchmarks use it. */
  waitUntilShared(ms: number): boolean;
  /** Jobs run on more than one thread so far (tests check that sharing happens). */
  sharedJobs(): number;
}

/**
 * The row tasks a backend's worker threads can run, handed to the backend by whoever makes it (linalg
 * imports nothing above it; this project's table is src/run/row-tasks.ts). `url` is the module each
 * worker loads, whose export ROW_TASKS is `tasks`; the calling thread checks in `tasks` that a task
 * it is about to share is the one the workers will find under its name.
 */
export interface RowTaskTable {
  readonly url: string;
  readonly tasks: Readonly<Record<string, RowTask>>;
}

/** The row task `name` over arguments of types A: rowTask<[out: Floats, n: number]>('name', (a, lo, hi) => ...). */
export function rowTask<A extends RowArgs>(name: string, fn: (args: A, lo: number, hi: number) => void): RowTask<A> {
  return { name, fn };
}

/** The calling thread alone: one call over the whole range. */
export const INLINE_ROWS: RowRunner = {
  threads: 1,
  run: (task, args, size) => {
    if (size > 0) task.fn(args, 0, size);
  },
  waitUntilShared: () => false,
  sharedJobs: () => 0,
};

/** [lo, hi) of range t of `parts` near-equal ranges of [0, size). */
export function span(size: number, parts: number, t: number): [number, number] {
  return [Math.floor((size * t) / parts), Math.floor((size * (t + 1)) / parts)];
}
