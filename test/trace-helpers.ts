// Shared by the trace tests (trace-step.test.ts, trace-cli.test.ts; not a test file itself): the
// small training set and config every trace is taken of. Small: 784 → 16 → 8, B = 4, 64 training
// images (16 steps an epoch), 8 test images.
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';

export const data = loadDataset({ trainLimit: 64, testLimit: 8 });
export const SMALL: Config = { ...DEFAULT_CONFIG, backend: 'js', layers: [784, 16, 8], batchSize: 4, trainLimit: 64, testLimit: 8 };
