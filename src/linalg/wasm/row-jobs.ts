// Row jobs on the matmul pool: the RowRunner of the wasm backend (makePoolRows, calling thread) and
// the worker's side of it (rowWorker, loaded by worker.js). A row job is one RowTask over [0, size)
// cut into `chunks` ranges that every thread claims with an atomic add, exactly as the kernel's
// tasks are claimed (pool.ts); its descriptor lives in the pool's rowJob buffer (below), its arrays
// in SharedArrayBuffers. Each worker receives, once and by message before the first job that
// names them, every buffer (with its id) and every task's name (with its id; the worker finds the
// task by name in the row-task table the backend's maker gave: RowTaskTable, src/run/row-tasks.ts).
// A job whose arrays are not all shared, or a pool whose workers have no row tasks (none were given,
// or a browser), runs on the calling thread: the same bits.
import { span, type RowArg, type RowArgs, type RowRunner, type RowTask, type RowTaskTable } from '../row-runner.ts';
import type { Floats } from '../view.ts';
import type { Pool } from './pool.ts';

/** Int32 fields of the row-job descriptor; argument i fills the four words from ARGS + 4i. */
const R = { TASK: 0, NEXT: 1, CHUNKS: 2, SIZE: 3, NARGS: 4, ARGS: 8 } as const;
/** Argument kinds (word 0 of an argument): a number (float64 in words 2-3), or an array of a type. */
const KIND = { NUMBER: 0, F32: 1, F64: 2, I32: 3, U8: 4 } as const;
const MAX_ARGS = 24;
/** Bytes of the descriptor buffer (pool.ts allocates it). */
export const ROW_JOB_BYTES = 4 * (R.ARGS + 4 * MAX_ARGS);

/**
 * What a worker receives before the first job naming a buffer or a task: its id in the descriptor;
 * and, once the calling thread has let go of a buffer, that the worker may too (drop).
 */
type Registration = { id: number; buffer: SharedArrayBuffer } | { id: number; task: string } | { id: number; drop: true };

/** Ranges per thread, so that a thread slowed by other work does not hold the job up. */
const CHUNKS_PER_THREAD = 4;
/** Jobs under this many element operations stay on the calling thread (waking the pool costs µs). */
const MIN_WORK_TO_SHARE = 1 << 15;

/** Claim ranges of the current job until none are left, running the task on each. */
function claimRanges<A extends RowArgs>(words: Int32Array, task: RowTask<A>, args: A): void {
  const chunks = words[R.CHUNKS]!, size = words[R.SIZE]!;
  for (let t = Atomics.add(words, R.NEXT, 1); t < chunks; t = Atomics.add(words, R.NEXT, 1)) {
    const [lo, hi] = span(size, chunks, t);
    task.fn(args, lo, hi);
  }
}

/**
 * The wasm backend's RowRunner: shares a job with the pool's workers when they have loaded the
 * row tasks and every array argument is in shared memory; otherwise runs it inline.
 * `openRowPhase` marks the pool's current job as a row job (layout.ts JOB.PHASE = PHASE_ROWS).
 * `table` is the workers' table (RowTaskTable.tasks): a task shared for the first time must be in
 * it under its name, else the job throws here rather than in the workers.
 */
export function makePoolRows(pool: Pool, threads: number, openRowPhase: () => void, table?: RowTaskTable['tasks']): RowRunner {
  const words = new Int32Array(pool.rowJob);
  const nums = new Float64Array(pool.rowJob);
  // Buffer ids are never reused; a buffer collected here is dropped by the workers too, so that
  // trainers made and forgotten on one backend do not stay alive in its threads.
  const ids = new WeakMap<SharedArrayBuffer, number>();
  let nextId = 0;
  const forget = new FinalizationRegistry<number>((id) => pool.broadcast({ id, drop: true } satisfies Registration));
  const taskIds = new Map<RowTask, number>();
  let shared = 0;

  /** Write the arguments into the descriptor; false if one of them is not in shared memory. */
  const encode = (args: RowArgs): boolean => {
    if (args.length > MAX_ARGS) throw new Error(`row job: ${args.length} arguments, at most ${MAX_ARGS}`);
    for (const a of args) if (typeof a !== 'number' && !(a.buffer instanceof SharedArrayBuffer)) return false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!, w = R.ARGS + 4 * i;
      if (typeof a === 'number') {
        words[w] = KIND.NUMBER;
        nums[w / 2 + 1] = a;
        continue;
      }
      const buffer = a.buffer as SharedArrayBuffer;
      let id = ids.get(buffer);
      if (id === undefined) {
        id = nextId++;
        ids.set(buffer, id);
        forget.register(buffer, id);
        pool.broadcast({ id, buffer } satisfies Registration);
      }
      words[w] = a instanceof Float32Array ? KIND.F32 : a instanceof Float64Array ? KIND.F64 : a instanceof Int32Array ? KIND.I32 : KIND.U8;
      words[w + 1] = id;
      words[w + 2] = a.byteOffset;
      words[w + 3] = a.length;
    }
    words[R.NARGS] = args.length;
    return true;
  };

  return {
    threads,
    run(task, args, size, work) {
      if (size <= 0) return;
      if (threads === 1 || size < 2 || work < MIN_WORK_TO_SHARE || !pool.rowsReady() || !encode(args)) {
        task.fn(args, 0, size);
        return;
      }
      let id = taskIds.get(task);
      if (id === undefined) {
        if (table !== undefined && table[task.name] !== task) throw new Error(`row job: the row-task table has no task '${task.name}'`);
        id = taskIds.size;
        taskIds.set(task, id);
        pool.broadcast({ id, task: task.name } satisfies Registration);
      }
      words[R.TASK] = id;
      words[R.CHUNKS] = Math.min(size, CHUNKS_PER_THREAD * threads);
      words[R.SIZE] = size;
      words[R.NEXT] = 0;
      openRowPhase();
      pool.runJob(() => claimRanges(words, task, args));
      shared++;
    },
    waitUntilShared: (ms) => pool.waitRowsReady(ms),
    sharedJobs: () => shared,
  };
}

/**
 * A worker's side: returns the function its loop calls for a row job. `table` is the ROW_TASKS of
 * the module at RowTaskTable.url (loaded in the worker: worker.js); `receive` returns the next
 * registration message, or undefined.
 */
export function rowWorker(rowJob: SharedArrayBuffer, table: Readonly<Record<string, RowTask>>, receive: () => unknown): () => void {
  const words = new Int32Array(rowJob);
  const nums = new Float64Array(rowJob);
  const buffers = new Map<number, SharedArrayBuffer>();
  const tasks: RowTask[] = [];
  const args: RowArg[] = [];
  return () => {
    for (let m = receive() as Registration | undefined; m !== undefined; m = receive() as Registration | undefined) {
      if ('buffer' in m) buffers.set(m.id, m.buffer);
      else if ('drop' in m) buffers.delete(m.id);
      else {
        const task = table[m.task];
        if (task === undefined) throw new Error(`row job: the row-task table has no task '${m.task}'`);
        tasks[m.id] = task;
      }
    }
    const n = words[R.NARGS]!;
    args.length = n;
    for (let i = 0; i < n; i++) {
      const w = R.ARGS + 4 * i, kind = words[w]!;
      if (kind === KIND.NUMBER) {
        args[i] = nums[w / 2 + 1]!;
        continue;
      }
      const buffer = buffers.get(words[w + 1]!);
      if (buffer === undefined) throw new Error(`row job: buffer ${words[w + 1]} was never sent to this worker`);
      const View = kind === KIND.F32 ? Float32Array : kind === KIND.F64 ? Float64Array : kind === KIND.I32 ? Int32Array : Uint8Array;
      args[i] = new View(buffer as unknown as ArrayBuffer, words[w + 2]!, words[w + 3]!) as Floats | Int32Array | Uint8Array;
    }
    const task = tasks[words[R.TASK]!];
    if (task === undefined) throw new Error(`row job: task ${words[R.TASK]} was never sent to this worker`);
    claimRanges(words, task, args);
  };
}
