// The start every training-like script shares: print the seed and the whole config (so a run can
// be repeated from its log), then load the dataset the config names and check the config
// against it. Returns the dataset.
import type { Config } from '../../src/config/config.ts';
import { loadDataset, type Dataset } from '../../src/data/dataset.ts';
import { checkConfigAgainstData } from '../../src/run/check-config.ts';

export function announceAndLoad(cfg: Config): Dataset {
  console.log(`seed ${cfg.seed}`);
  console.log(`config ${JSON.stringify(cfg)}`);
  const data = loadDataset({
    dataDir: cfg.dataDir ?? undefined, validation: cfg.validation,
    trainLimit: cfg.trainLimit ?? undefined, testLimit: cfg.testLimit ?? undefined,
  });
  checkConfigAgainstData(cfg, data.train.pixels, data.train.rows, data.train.cols, data.train.count);
  return data;
}
