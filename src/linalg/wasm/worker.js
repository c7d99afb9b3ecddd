// A matmul worker thread under Node: takes its data from workerData and runs the shared loop
// (worker-loop.js). Plain JavaScript: Node 20 runs tsx's loader hooks on the main thread only, so
// this file cannot import a .ts file directly; for row jobs it loads the TypeScript row tasks
// (the module the backend's maker named, RowTaskTable.url: src/run/row-tasks.ts, the very kernels
// the calling thread runs) and row-jobs.ts through tsx's tsImport, and reads the buffers the pool
// sends with receiveMessageOnPort (synchronous: this thread never returns to its event loop). If
// that fails, or no row tasks were named, the worker runs products only.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { runWorkerLoop } from './worker-loop.js';

/** The row runner of this worker, or undefined (with a notice) if the row tasks cannot be loaded. */
async function loadRows() {
  const { rows, rowJob } = workerData;
  try {
    const { tsImport } = await import('tsx/esm/api');
    const { rowWorker } = await tsImport(new URL('./row-jobs.ts', import.meta.url).href, import.meta.url);
    const { ROW_TASKS } = await tsImport(rows.tasksUrl, import.meta.url);
    return rowWorker(rowJob, ROW_TASKS, () => receiveMessageOnPort(rows.port)?.message);
  } catch (err) {
    console.error(`notice: a worker thread could not load the row tasks; they run on the calling thread (${err?.message ?? err})`);
    return undefined;
  }
}

runWorkerLoop(workerData, (ok) => {
  if (!ok) process.exit(1);
}, workerData.rows ? loadRows : undefined);
