// A matmul worker thread in a browser (a Web Worker, bundled by the playground's server): takes
// its data from the first message, runs the shared loop (worker-loop.js) and posts 'ready' (or
// 'failed') once the module is instantiated, so that the thread that started it can wait for it
// without blocking (a browser may not start a worker while its parent is blocked).
import { runWorkerLoop } from './worker-loop.js';

self.onmessage = (e) => {
  self.onmessage = null;
  runWorkerLoop(e.data, (ok) => self.postMessage(ok ? 'ready' : 'failed'));
};
