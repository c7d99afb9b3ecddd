// The pool's threads under Node: worker_threads running worker.js. Workers are unref()'d, so a
// forgotten close() does not keep the process alive. The worker is plain JavaScript: under Node 20
// tsx registers its loader hooks on the main thread only, so a worker cannot load a .ts file by
// import, whether the process was started with `npx tsx` or `node --import tsx`; it loads the row
// tasks through tsx's API instead (worker.js), and receives the row jobs' buffers on a
// MessagePort (`post`).
import { MessageChannel, Worker } from 'node:worker_threads';
import type { SpawnThread } from './pool.ts';

/** The table of row tasks the workers load (the calling thread imports the same module). */
const ROW_TASKS_URL = new URL('../../run/row-tasks.ts', import.meta.url).href;

export const spawnNodeThread: SpawnThread = (data, onError) => {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: { ...data, rows: { port: port2, tasksUrl: ROW_TASKS_URL } },
    transferList: [port2],
    // Plain JavaScript needs no loader: do not inherit the parent's flags (`--import tsx` would
    // only slow the start; `node -e CODE` would make the worker run CODE instead of this file).
    execArgv: [],
  });
  worker.unref();
  port1.unref();
  worker.on('error', onError);
  return {
    terminate: () => {
      port1.close();
      void worker.terminate();
    },
    post: (message) => port1.postMessage(message),
  };
};
