// The pool's threads under Node: worker_threads running worker.js. Workers are unref()'d, so a
// forgotten close() does not keep the process alive. The worker is plain JavaScript, so it runs
// from the sources and from the compiled package alike: under Node 20 tsx registers its loader
// hooks on the main thread only, so from the sources a worker loads the row tasks through tsx's
// API (worker.js); it receives the row jobs' buffers on a MessagePort (`post`).
import { MessageChannel, Worker } from 'node:worker_threads';
import type { PoolWorkerData, SpawnThread } from './pool.ts';

/**
 * A SpawnThread whose workers load the row tasks from `rowTasksUrl` (a module exporting ROW_TASKS:
 * RowTaskTable.url, from the backend's maker; the calling thread imports the same module), or,
 * without it, run products only (every row job then stays on the calling thread).
 */
export function nodeThreads(rowTasksUrl: string | undefined): SpawnThread {
  return (data, onError) => spawnNodeThread(data, onError, rowTasksUrl);
}

function spawnNodeThread(data: PoolWorkerData, onError: () => void, rowTasksUrl: string | undefined): ReturnType<SpawnThread> {
  const channel = rowTasksUrl === undefined ? undefined : new MessageChannel();
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: channel ? { ...data, rows: { port: channel.port2, tasksUrl: rowTasksUrl } } : data,
    transferList: channel ? [channel.port2] : [],
    // Plain JavaScript needs no loader: do not inherit the parent's flags (`--import tsx` would
    // only slow the start; `node -e CODE` would make the worker run CODE instead of this file).
    execArgv: [],
  });
  worker.unref();
  channel?.port1.unref();
  worker.on('error', onError);
  const terminate = (): void => {
    channel?.port1.close();
    void worker.terminate();
  };
  return channel ? { terminate, post: (message) => channel.port1.postMessage(message) } : { terminate };
}
