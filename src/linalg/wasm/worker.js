// A matmul worker thread under Node: takes its data from workerData and runs the shared loop
// (worker-loop.js). Plain JavaScript: Node 20 runs tsx's loader hooks on the main thread only, so
// a .ts worker would not load.
import { workerData } from 'node:worker_threads';
import { runWorkerLoop } from './worker-loop.js';

runWorkerLoop(workerData, (ok) => {
  if (!ok) process.exit(1);
});
