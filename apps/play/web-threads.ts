// The wasm matmul backend in a browser: the same kernel, pool protocol and worker loop as under
// Node, its threads Web Workers (matmul-worker.js, the bundle of web-worker.js) sharing the wasm
// memory (a SharedArrayBuffer: the page must be cross-origin isolated). Resolves once every
// worker runs, because a browser may not start a worker while the thread that made it is blocked
// in Atomics.wait, which the pool's first job would otherwise be.
import { makeWasmMatmul, type MatmulBackend, type SpawnThread } from './api.ts';

export async function createWebWasmMatmul(threads: number, workerUrl: string): Promise<MatmulBackend> {
  const started: Promise<void>[] = [];
  const spawn: SpawnThread = (data, onError) => {
    const worker = new Worker(workerUrl, { type: 'module', name: 'matmul' });
    started.push(new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent) =>
        (e.data === 'ready' ? resolve() : reject(new Error('a matmul worker could not instantiate the kernel')));
      worker.onerror = (e: ErrorEvent) => {
        onError();
        reject(new Error(`a matmul worker failed to load: ${e.message || workerUrl}`));
      };
    }));
    worker.postMessage(data);
    return { terminate: () => worker.terminate() };
  };
  const backend = makeWasmMatmul({ threads }, { spawn });
  try {
    await Promise.all(started);
  } catch (err) {
    backend.close();
    throw err;
  }
  return backend;
}
