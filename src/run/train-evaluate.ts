// Training and evaluation for a program that uses this project as a library (src/index.ts): each
// call checks the config against the data (the same UserErrors as the command line), opens the
// matrix backend the config names, runs, and closes the backend, so a caller holds no threads.
// train() is trainRun (train-run.ts) from the seed; evaluate() is the trainer's own evaluation.
import { checkConfig, checkConfigAgainstData } from './check-config.ts';
import type { Config } from '../config/config.ts';
import type { Dataset, Split } from '../data/dataset.ts';
import type { Network } from '../ff/network.ts';
import type { EvalObserver, Method, TestErrors } from '../ff/trainer.ts';
import type { MatmulBackend } from '../linalg/backend.ts';
import { makeBackend } from './backend.ts';
import { makeTrainer, trainRun, type RunHooks, type RunResult } from './train-run.ts';

/** Train a network of cfg's mode on data.train from cfg.seed; the result holds it and its test errors. */
export function train(cfg: Config, data: Dataset, hooks: RunHooks = {}): RunResult {
  checkConfig(cfg);
  checkConfigAgainstData(cfg, data.train.pixels, data.train.rows, data.train.cols, data.train.count);
  return withBackend(cfg, (backend) => trainRun(cfg, data, backend, hooks));
}

/** Error fractions of `net` on the first `count` images of `split` (default: all of data.test). */
export function evaluate(
  cfg: Config, net: Network, data: Dataset, split: Split = data.test, count = split.count, methods?: readonly Method[], observer?: EvalObserver,
): TestErrors {
  checkConfig(cfg);
  checkConfigAgainstData(cfg, split.pixels, split.rows, split.cols, data.train.count);
  return withBackend(cfg, (backend) => makeTrainer(cfg, net, data, backend).evaluate(split, count, methods, observer));
}

function withBackend<T>(cfg: Config, use: (backend: MatmulBackend) => T): T {
  const backend = makeBackend(cfg.backend, cfg.threads, (msg) => process.stderr.write(`${msg}\n`));
  try {
    return use(backend);
  } finally {
    backend.close();
  }
}
