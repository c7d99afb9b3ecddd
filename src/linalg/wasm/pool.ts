// A pool of worker threads sharing one wasm memory, driven synchronously from the main thread
// (runJob below: open the job, wake the workers, do a share of the tasks, close, wait for the
// workers inside). Which thread runs which task never changes the result. Workers are unref()'d,
// so a forgotten close() does not keep the process alive. The worker is plain JavaScript
// (worker.js): under Node 20 tsx registers its loader hooks on the main thread only, so a worker
// cannot load a .ts file, whether the process was started with `npx tsx` or `node --import tsx`.
import { Worker } from 'node:worker_threads';
import { ACTIVE_CLOSED, CTRL, JOB_ADDR } from './layout.ts';
import type { WasmMemory, WasmModule } from './wasm-api.ts';

export interface Pool {
  /** Worker threads (the main thread is not counted). */
  readonly workers: number;
  /** Run one job on the main thread and the workers; the job descriptor must be written first. */
  runJob(runOnMain: () => void): void;
  /** Stop and terminate the workers. Idempotent. */
  close(): void;
}

/** Milliseconds the main thread spins for the workers to leave before sleeping (worker.js spins too). */
const SPIN_MS = 0.2;

/** How long the first job waits for the workers to start before declaring them broken. */
const START_TIMEOUT_MS = 60_000;

export function startPool(module: WasmModule, memory: WasmMemory, workers: number): Pool {
  const ctrl = new Int32Array(memory.buffer, 0, 16);
  Atomics.store(ctrl, CTRL.ACTIVE, ACTIVE_CLOSED); // no job yet
  const gen0 = Atomics.load(ctrl, CTRL.GEN);
  const threads: Worker[] = [];
  for (let w = 0; w < workers; w++) {
    // The module is compiled once (by the caller) and sent with the memory.
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { module, memory, ctrl: CTRL, closed: ACTIVE_CLOSED, jobAddr: JOB_ADDR, gen: gen0 },
      // Plain JavaScript needs no loader: do not inherit the parent's flags (`--import tsx` would
      // only slow the start; `node -e CODE` would make the worker run CODE instead of this file).
      execArgv: [],
    });
    worker.unref();
    worker.on('error', () => Atomics.store(ctrl, CTRL.ERROR, 2)); // seen only between jobs
    threads.push(worker);
  }
  let started = workers === 0;
  let closed = false;

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
      for (const worker of threads) void worker.terminate();
    },
  };
}
