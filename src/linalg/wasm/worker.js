// A matmul worker thread under Node: takes its data from workerData and runs the shared loop
// (worker-loop.js). Plain JavaScript, so it runs the same from the TypeScript sources and from the
// compiled package. For row jobs it loads the row tasks (the module the backend's maker named,
// RowTaskTable.url: src/run/row-tasks, the very kernels the calling thread runs) and row-jobs beside
// this file: compiled JavaScript by plain import; TypeScript sources through tsx's tsImport, because
// Node 20 runs tsx's loader hooks on the main thread only. It reads the buffers the pool sends with
// receiveMessageOnPort (synchronous: this thread never returns to its event loop). If loading fails,
// or no row tasks were named, the worker runs products only.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { runWorkerLoop } from './worker-loop.js';

/** Import a module of the library: natively if it is compiled JavaScript, else through tsx. */
async function importModule(url) {
  if (url.endsWith('.js')) return import(url);
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(url, import.meta.url);
}

/** The row runner of this worker, or undefined (with a notice) if the row tasks cannot be loaded. */
async function loadRows() {
  const { rows, rowJob } = workerData;
  try {
    const ext = rows.tasksUrl.endsWith('.js') ? '.js' : '.ts';
    const { rowWorker } = await importModule(new URL(`./row-jobs${ext}`, import.meta.url).href);
    const { ROW_TASKS } = await importModule(rows.tasksUrl);
    return rowWorker(rowJob, ROW_TASKS, () => receiveMessageOnPort(rows.port)?.message);
  } catch (err) {
    console.error(`notice: a worker thread could not load the row tasks; they run on the calling thread (${err?.message ?? err})`);
    return undefined;
  }
}

runWorkerLoop(workerData, (ok) => {
  if (!ok) process.exit(1);
}, workerData.rows ? loadRows : undefined);
