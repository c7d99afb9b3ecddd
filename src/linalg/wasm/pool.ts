// A pool of worker threads sharing one wasm memory, driven synchronously from the main thread:
// runJob() bumps CTRL.GEN, wakes the workers with Atomics.notify, runs its own share of the job,
// then blocks in Atomics.wait until every worker has checked out. Which thread runs which task
// does not matter for the result (kernel.ts), only for the speed. Workers are unref()'d: a
// forgotten close() does not keep the process alive.
//
// The worker file is plain JavaScript (worker.js): under Node 20, tsx registers its loader hooks
// on the main thread only, so a worker cannot load a .ts file whether the process was started
// with `npx tsx` or `node --import tsx`. The module is compiled once here and sent to the workers.
import { Worker } from 'node:worker_threads';
import { CTRL, JOB_ADDR } from './layout.ts';
import type { WasmMemory, WasmModule } from './wasm-api.ts';

export interface Pool {
  /** Worker threads (the main thread is not counted). */
  readonly workers: number;
  /** Run one job on the main thread and all workers; the job descriptor must be written first. */
  runJob(runOnMain: () => void): void;
  /** Stop and terminate the workers. Idempotent. */
  close(): void;
}

/** How long runJob waits for workers to start before declaring them broken. */
const START_TIMEOUT_MS = 60_000;

export function startPool(module: WasmModule, memory: WasmMemory, workers: number): Pool {
  const ctrl = new Int32Array(memory.buffer, 0, 16);
  const gen0 = Atomics.load(ctrl, CTRL.GEN);
  const threads: Worker[] = [];
  for (let w = 0; w < workers; w++) {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { module, memory, ctrl: CTRL, jobAddr: JOB_ADDR, gen: gen0 },
    });
    worker.unref();
    worker.on('error', () => Atomics.store(ctrl, CTRL.ERROR, 2)); // seen only between jobs
    threads.push(worker);
  }
  let started = workers === 0;
  let closed = false;

  const waitForStart = (): void => {
    const deadline = performance.now() + START_TIMEOUT_MS;
    for (let ready = Atomics.load(ctrl, CTRL.READY); ready < workers; ready = Atomics.load(ctrl, CTRL.READY)) {
      if (performance.now() > deadline) throw new Error(`wasm matmul: only ${ready} of ${workers} workers started`);
      Atomics.wait(ctrl, CTRL.READY, ready, 100);
    }
    if (Atomics.load(ctrl, CTRL.ERROR) !== 0) throw new Error('wasm matmul: a worker failed to start (see stderr)');
    started = true;
  };

  return {
    workers,
    runJob(runOnMain: () => void): void {
      if (closed) throw new Error('wasm matmul: the pool is closed');
      if (workers === 0) {
        runOnMain();
        return;
      }
      if (!started) waitForStart();
      Atomics.store(ctrl, CTRL.CHECKED_OUT, 0);
      Atomics.add(ctrl, CTRL.GEN, 1); // publishes the job descriptor written before this call
      Atomics.notify(ctrl, CTRL.GEN);
      runOnMain();
      for (let out = Atomics.load(ctrl, CTRL.CHECKED_OUT); out < workers; out = Atomics.load(ctrl, CTRL.CHECKED_OUT)) {
        Atomics.wait(ctrl, CTRL.CHECKED_OUT, out);
      }
      if (Atomics.load(ctrl, CTRL.ERROR) !== 0) throw new Error('wasm matmul: a worker failed (see stderr)');
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
