// Child process of the benchmark's memory measurement (started by rss.ts, not by hand): runs one
// short real training run (trainRun: the steps, then the test evaluation) of the Config given as
// JSON in argv[2], and prints its own peak resident memory as a last line 'JSON {...}'.
// A separate process because the peak is a high-water mark: in the benchmark's own process it
// would also count everything measured before.
import type { Config } from '../../src/config/config.ts';
import { checkConfig, checkConfigAgainstData } from '../../src/run/check-config.ts';
import { loadDataset } from '../../src/data/dataset.ts';
import { makeBackend } from '../../src/run/backend.ts';
import { trainRun } from '../../src/run/train-run.ts';
import { readFileSync } from 'node:fs';

/**
 * This process's peak resident memory in kB. On Linux, VmHWM of /proc/self/status: getrusage's
 * ru_maxrss is kept across fork and exec, so in a child it is at least the parent's resident size
 * when it started the child (seen: a 1.5 GB parent gives its fresh child 1.47 GB), whereas VmHWM
 * belongs to the child's own address space. Elsewhere, ru_maxrss.
 */
function peakRssKB(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch { /* not Linux */ }
  return process.resourceUsage().maxRSS; // kilobytes
}

const cfg = JSON.parse(process.argv[2] ?? 'null') as Config;
if (cfg === null) throw new Error('rss-child: pass the Config as JSON in argv[2]');
checkConfig(cfg);
const data = loadDataset({ trainLimit: cfg.trainLimit ?? undefined, testLimit: cfg.testLimit ?? undefined });
checkConfigAgainstData(cfg, data.train.pixels, data.train.rows, data.train.cols, data.train.count);
const backend = makeBackend(cfg.backend, cfg.threads, (msg) => console.error(msg));
const t0 = performance.now();
const result = trainRun(cfg, data, backend);
const seconds = (performance.now() - t0) / 1000;
backend.close();
console.log('JSON ' + JSON.stringify({
  maxRssKB: peakRssKB(),
  steps: Math.floor(data.train.count / cfg.batchSize) * cfg.epochs,
  testImages: data.test.count,
  seconds,
  examplesPerSecond: result.examplesPerSecond,
  testError: result.test,
}));
