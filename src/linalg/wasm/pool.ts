// A pool of worker threads sharing one wasm memory, driven synchronously from the calling thread
// (runJob below: open the job, wake the workers, do a share of the tasks, close, wait for the
// workers inside). Which thread runs which task never changes the result. The threads themselves
// come from a SpawnThread: Node's worker_threads (pool-node.ts) or the browser's Web Workers
// (apps/play/web-threads.ts); both run the same loop (worker-loop.js) on the data below. Row jobs
// (row-jobs.ts) use the same protocol; their descriptor is the rowJob buffer, of a size the
// caller gives (row-jobs.ts ROW_JOB_BYTES), so that this file does not import the row jobs.
import { ACTIVE_CLOSED, CTRL, JOB, JOB_ADDR, PHASE_ROWS } from './layout.ts';
import type { WasmMemory, WasmModule } from './wasm-api.ts';
import { sharedBytes } from '../shared-floats.ts';

/** What every worker thread receives: the compiled module, the shared memory, the protocol's constants. */
export interface PoolWorkerData {
  module: WasmModule;
  memory: WasmMemory;
  ctrl: typeof CTRL;
  closed: number;
  jobAddr: number;
  gen: number;
  /** The row-job descriptor (row-jobs.ts); the job is a row job when JOB.PHASE (field phaseField) is rowsPhase. */
  rowJob: SharedArrayBuffer;
  phaseField: number;
  rowsPhase: number;
}

/**
 * Start one worker thread on `data`; `onError` is called if it fails. `post`, where the runtime
 * gives one, delivers a message the worker reads synchronously at its next row job (Node); a
 * thread without it never runs row jobs.
 */
export type SpawnThread = (data: PoolWorkerData, onError: () => void) => { terminate(): void; post?(message: unknown): void };

export interface Pool {
  /** Worker threads (the main thread is not counted). */
  readonly workers: number;
  /** Run one job on the main thread and the workers; the job descriptor must be written first. */
  runJob(runOnMain: () => void): void;
  /** The row-job descriptor, shared with the workers. */
  readonly rowJob: SharedArrayBuffer;
  /** True once every worker can run row jobs (loaded the row tasks and can receive messages). */
  rowsReady(): boolean;
  /** Wait up to `ms` for rowsReady(); returns it. */
  waitRowsReady(ms: number): boolean;
  /** Jobs a worker entered so far, summed over the workers (CTRL.ENTERED). */
  entered(): number;
  /** Send `message` to every worker (see SpawnThread's post). */
  broadcast(message: unknown): void;
  /** Stop and terminate the workers. Idempotent. */
  close(): void;
}

/** Milliseconds the main thread spins for the workers to leave before sleeping (worker.js spins too). */
const SPIN_MS = 0.2;

/** How long the first job waits for the workers to start before declaring them broken. */
const START_TIMEOUT_MS = 60_000;

export function startPool(module: WasmModule, memory: WasmMemory, workers: number, spawn: SpawnThread, rowJobBytes: number): Pool {
  const ctrl = new Int32Array(memory.buffer, 0, 16);
  Atomics.store(ctrl, CTRL.ACTIVE, ACTIVE_CLOSED); // no job yet
  const gen0 = Atomics.load(ctrl, CTRL.GEN);
  const threads: { terminate(): void; post?(message: unknown): void }[] = [];
  // Without workers (one thread, e.g. a page that is not cross-origin isolated and so has no
  // SharedArrayBuffer constructor) the descriptor is an ordinary buffer that no other thread sees.
  const rowJob = sharedBytes(rowJobBytes) as SharedArrayBuffer;
  for (let w = 0; w < workers; w++) {
    // The module is compiled once (by the caller) and sent with the memory.
    const data: PoolWorkerData = {
      module, memory, ctrl: CTRL, closed: ACTIVE_CLOSED, jobAddr: JOB_ADDR, gen: gen0, rowJob, phaseField: JOB.PHASE, rowsPhase: PHASE_ROWS,
    };
    threads.push(spawn(data, () => Atomics.store(ctrl, CTRL.ERROR, 2))); // seen only between jobs
  }
  let started = workers === 0;
  let closed = false;
  const canPost = threads.every((t) => t.post !== undefined);
  let rowsReady = false; // latched: a worker that has loaded the row tasks keeps them

  // The first job waits until every worker runs, so that a broken worker file is an error, not a
  // silent slowdown (a worker starts in about 25 ms).
  const waitForStart = (): void => {
    const deadline = performance.now() + START_TIMEOUT_MS;
    for (let ready = Atomics.load(ctrl, CTRL.READY); ready < workers; ready = Atomics.load(ctrl, CTRL.READY)) {
      if (performance.now() > deadline) throw new Error(`wasm matmul: only ${ready} of ${workers} workers started`);
      Atomics.wait(ctrl, CTRL.READY, ready, 100);
    }
    started = true;
  };

  return {
    workers,
    rowJob,
    rowsReady(): boolean {
      if (!rowsReady && canPost && workers > 0) rowsReady = Atomics.load(ctrl, CTRL.ROWS_READY) === workers;
      return rowsReady;
    },
    waitRowsReady(ms: number): boolean {
      if (!canPost || workers === 0) return false;
      const deadline = performance.now() + ms;
      for (let n = Atomics.load(ctrl, CTRL.ROWS_READY); n < workers; n = Atomics.load(ctrl, CTRL.ROWS_READY)) {
        const left = deadline - performance.now();
        if (left <= 0) return false;
        Atomics.wait(ctrl, CTRL.ROWS_READY, n, Math.min(left, 100));
      }
      return this.rowsReady();
    },
    entered: () => Atomics.load(ctrl, CTRL.ENTERED),
    broadcast(message: unknown): void {
      if (closed) return;
      for (const t of threads) t.post?.(message);
    },
    /**
     * The job descriptor is already written. Open the job (CTRL.ACTIVE = 0), bump CTRL.GEN and wake
     * the workers; run the main thread's share (it claims tasks like everyone else, so it returns
     * once all are claimed); close the job (ACTIVE_CLOSED: no worker may enter any more) and wait
     * until the workers inside have left. A worker that wakes late finds the job closed and skips
     * it, so a descheduled or slow worker never holds the main thread up, and the descriptor is
     * rewritten only when no worker is inside.
     */
    runJob(runOnMain: () => void): void {
      if (closed) throw new Error('wasm matmul: the pool is closed');
      if (workers === 0) {
        runOnMain();
        return;
      }
      if (!started) waitForStart();
      Atomics.store(ctrl, CTRL.ACTIVE, 0); // open; publishes the descriptor written before this call
      Atomics.add(ctrl, CTRL.GEN, 1);
      Atomics.notify(ctrl, CTRL.GEN);
      runOnMain(); // returns once every task has been claimed
      Atomics.or(ctrl, CTRL.ACTIVE, ACTIVE_CLOSED);
      // Wait for the workers inside to finish their tasks: spin briefly, then sleep.
      const until = performance.now() + SPIN_MS;
      while (Atomics.load(ctrl, CTRL.ACTIVE) !== ACTIVE_CLOSED && performance.now() < until);
      for (let v = Atomics.load(ctrl, CTRL.ACTIVE); v !== ACTIVE_CLOSED; v = Atomics.load(ctrl, CTRL.ACTIVE)) {
        Atomics.wait(ctrl, CTRL.ACTIVE, v);
      }
      const error = Atomics.load(ctrl, CTRL.ERROR);
      if (error !== 0) throw new Error(`wasm matmul: a worker ${error === 2 ? 'failed to start' : 'failed'} (see stderr)`);
    },
    close(): void {
      if (closed) return;
      closed = true;
      Atomics.store(ctrl, CTRL.STOP, 1);
      Atomics.add(ctrl, CTRL.GEN, 1);
      Atomics.notify(ctrl, CTRL.GEN);
      for (const worker of threads) worker.terminate();
    },
  };
}
