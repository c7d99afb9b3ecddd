// The loop of a matmul worker thread, the same under Node (worker.js) and in a browser (web-worker.js):
// instantiate the emitted module (compiled once by the calling thread) on the shared memory, then
// loop: wait for CTRL.GEN to move, enter the job unless the calling thread has already closed it,
// run tasks through the module's `run` export (or, for a row job, the row runner the runtime
// loaded: row-jobs.ts), leave. All the arithmetic and task logic is in the wasm (kernel.ts) and the
// row tasks; this file only waits and signals (protocol: pool.ts). Plain JavaScript, so that a Node
// worker loads it without a TypeScript loader.

/**
 * Milliseconds to spin on CTRL.GEN before sleeping in Atomics.wait: a product is two jobs back to
 * back (pack, multiply) and products often follow each other, while waking a sleeping thread
 * takes tens of microseconds (more in a VM).
 */
const SPIN_MS = 0.2;

/**
 * Run the worker until the pool stops it. `started(ok)` is called once the module is instantiated
 * (ok) or failed to (then the loop does not run). `loadRows`, if given, is awaited after that
 * (the pool runs its jobs without this worker meanwhile): the function it resolves to runs this
 * worker's share of a row job; CTRL.ROWS_READY counts the workers that have one.
 * @param {{ module: WebAssembly.Module, memory: WebAssembly.Memory, ctrl: Record<string, number>, closed: number,
 *   jobAddr: number, gen: number, phaseField: number, rowsPhase: number }} data
 * @param {(ok: boolean) => void} started
 * @param {() => Promise<(() => void) | undefined>} [loadRows]
 */
export async function runWorkerLoop(data, started, loadRows) {
  const { module, memory, ctrl: C, closed: CLOSED, jobAddr, gen, phaseField, rowsPhase } = data;
  const ctrl = new Int32Array(memory.buffer, 0, 16);
  const job = new Int32Array(memory.buffer, jobAddr, phaseField + 1); // the descriptor never moves

  /** @type {(job: number) => void} */
  let run;
  try {
    run = /** @type {any} */ (new WebAssembly.Instance(module, { env: { memory } }).exports).run;
  } catch (err) {
    console.error('matmul worker failed to start:', err);
    Atomics.store(ctrl, C.ERROR, 2);
    Atomics.add(ctrl, C.READY, 1);
    Atomics.notify(ctrl, C.READY);
    started(false);
    return;
  }
  Atomics.add(ctrl, C.READY, 1);
  Atomics.notify(ctrl, C.READY);
  started(true);
  const runRows = loadRows ? await loadRows() : undefined;
  if (runRows) {
    Atomics.add(ctrl, C.ROWS_READY, 1);
    Atomics.notify(ctrl, C.ROWS_READY);
  }

  /** Enter the current job (CTRL.ACTIVE += 1) unless it is closed; true if entered. */
  const enter = () => {
    for (let v = Atomics.load(ctrl, C.ACTIVE); (v & CLOSED) === 0; v = Atomics.load(ctrl, C.ACTIVE)) {
      if (Atomics.compareExchange(ctrl, C.ACTIVE, v, v + 1) === v) return true;
    }
    return false;
  };

  let seen = gen; // the last generation this worker has looked at
  for (;;) {
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(ctrl, C.GEN) === seen && performance.now() < until);
    Atomics.wait(ctrl, C.GEN, seen); // returns at once if GEN already moved on
    const now = Atomics.load(ctrl, C.GEN);
    if (now === seen) continue; // spurious wake-up
    seen = now;
    if (Atomics.load(ctrl, C.STOP) !== 0) break;
    if (!enter()) continue; // too late: the calling thread has done this job's tasks
    Atomics.add(ctrl, C.ENTERED, 1);
    try {
      if (Atomics.load(job, phaseField) !== rowsPhase) run(jobAddr);
      else if (runRows) runRows(); // the pool sends row jobs only once every worker has runRows
    } catch (err) {
      console.error('matmul worker:', err);
      Atomics.store(ctrl, C.ERROR, 1);
    }
    Atomics.sub(ctrl, C.ACTIVE, 1);
    Atomics.notify(ctrl, C.ACTIVE);
  }
}
