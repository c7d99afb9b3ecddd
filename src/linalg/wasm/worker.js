// A matmul worker thread: instantiates the emitted module (compiled once by the main thread and
// passed in workerData) on the shared memory, then loops: sleep on CTRL.GEN, run the job's tasks
// through the module's `run` export, check out. All the arithmetic and task logic is in the wasm
// (kernel.ts); this file only waits and signals, so it is plain JavaScript: Node 20 runs tsx's
// loader hooks on the main thread only, so a .ts worker would not load (pool.ts says more).
import { workerData } from 'node:worker_threads';

/** @type {{ module: WebAssembly.Module, memory: WebAssembly.Memory, ctrl: Record<string, number>, jobAddr: number, gen: number }} */
const { module, memory, ctrl: C, jobAddr, gen } = workerData;
const ctrl = new Int32Array(memory.buffer, 0, 16);

/** @type {(job: number) => void} */
let run;
try {
  run = /** @type {any} */ (new WebAssembly.Instance(module, { env: { memory } }).exports).run;
} catch (err) {
  console.error('matmul worker failed to start:', err);
  Atomics.store(ctrl, C.ERROR, 2);
  Atomics.add(ctrl, C.READY, 1);
  Atomics.notify(ctrl, C.READY);
  process.exit(1);
}
Atomics.add(ctrl, C.READY, 1);
Atomics.notify(ctrl, C.READY);

let seen = gen; // the last generation this worker has run
for (;;) {
  Atomics.wait(ctrl, C.GEN, seen); // returns at once if GEN already moved on
  const now = Atomics.load(ctrl, C.GEN);
  if (now === seen) continue; // spurious wake-up
  seen = now;
  if (Atomics.load(ctrl, C.STOP) !== 0) break;
  try {
    run(jobAddr);
  } catch (err) {
    console.error('matmul worker:', err);
    Atomics.store(ctrl, C.ERROR, 1);
  }
  Atomics.add(ctrl, C.CHECKED_OUT, 1);
  Atomics.notify(ctrl, C.CHECKED_OUT);
}
