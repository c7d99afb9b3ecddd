// The pool's threads under Node: worker_threads running worker.js. Workers are unref()'d, so a
// forgotten close() does not keep the process alive. The worker is plain JavaScript: under Node 20
// tsx registers its loader hooks on the main thread only, so a worker cannot load a .ts file,
// whether the process was started with `npx tsx` or `node --import tsx`.
import { Worker } from 'node:worker_threads';
import type { SpawnThread } from './pool.ts';

export const spawnNodeThread: SpawnThread = (data, onError) => {
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: data,
    // Plain JavaScript needs no loader: do not inherit the parent's flags (`--import tsx` would
    // only slow the start; `node -e CODE` would make the worker run CODE instead of this file).
    execArgv: [],
  });
  worker.unref();
  worker.on('error', onError);
  return { terminate: () => void worker.terminate() };
};
