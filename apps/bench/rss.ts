// Peak resident memory: of this (benchmark) process so far, and of a short real training run in a
// child process (rss-child.ts), so "peak RSS while training that net" is a number of its own,
// untouched by whatever the benchmark allocated before. maxRSS comes from getrusage (kilobytes).
// The child's config is the default recipe with the given layers and batch (a user's real run).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.ts';
import { checkConfig } from '../../src/run/check-config.ts';

export interface TrainingRss {
  config: Config; // what the child trained
  maxRssKB: number; // its peak resident memory
  steps: number; // training steps it ran (then it evaluated testImages)
  testImages: number;
  seconds: number;
  examplesPerSecond: number;
}

/** Peak resident memory of this process so far, in kilobytes. */
export function ownMaxRssKB(): number {
  return process.resourceUsage().maxRSS;
}

/** The loader flags this process runs under (tsx's --require/--import), for a child .ts entry. */
function loaderArgs(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '--require' || a === '--import' || a === '--loader' || a === '-r') && i + 1 < argv.length) out.push(a, argv[++i]!);
    else if (/^--(require|import|loader)=/.test(a)) out.push(a);
  }
  return out.length > 0 ? out : ['--import', 'tsx'];
}

/** The config of the child's run: the default recipe on `layers` at `batch`, `steps` steps, one epoch. */
export function rssRunConfig(layers: number[], batch: number, steps: number, testImages: number, threads: number, seed: number): Config {
  const cfg: Config = {
    ...DEFAULT_CONFIG, preset: 'bench (memory run)', layers, batchSize: batch, epochs: 1,
    trainLimit: batch * steps, testLimit: testImages, threads, seed, quiet: true,
  };
  checkConfig(cfg);
  return cfg;
}

/** Run the training in a child process and return its peak RSS (throws with its stderr if it fails). */
export function measureTrainingRss(cfg: Config, cwd: string): TrainingRss {
  const child = fileURLToPath(new URL('./rss-child.ts', import.meta.url));
  const r = spawnSync(process.execPath, [...loaderArgs(), child, JSON.stringify(cfg)], { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  const last = (r.stdout ?? '').trimEnd().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('JSON ')) {
    throw new Error(`bench: the memory run failed (exit ${r.status ?? r.signal}):\n${r.stderr || r.error?.message || ''}`);
  }
  const out = JSON.parse(last.slice('JSON '.length)) as Omit<TrainingRss, 'config'>;
  return { config: cfg, ...out };
}
