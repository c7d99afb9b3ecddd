// What the browser bundle gets for `node:os` (the playground's bundler maps the import here): the
// two functions the shared code calls. The browser tells its cores; it does not tell its memory,
// so totalmem answers navigator.deviceMemory (a rounded lower bound, in GB) or 4 GB.

export function availableParallelism(): number {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

export function totalmem(): number {
  const gb = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory ?? 4;
  return gb * 2 ** 30;
}
