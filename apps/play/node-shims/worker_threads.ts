// What the browser bundle gets for `node:worker_threads` (the playground's bundler maps the import
// here): the Node thread starter (pool-node.ts) is in the page's import graph through
// create-backend.ts, but the page always brings its own backend (web-threads.ts), so this runs never.

export const workerData: unknown = undefined;

export class Worker {
  constructor() {
    throw new Error('worker_threads: a browser starts Web Workers (apps/play/web-threads.ts), not Node threads');
  }
}

export class MessageChannel {
  constructor() {
    throw new Error('worker_threads: a browser starts Web Workers (apps/play/web-threads.ts), not Node threads');
  }
}
