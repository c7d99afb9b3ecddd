// The short seeded runs behind test/golden.test.ts, shared with scripts/make-golden.ts (which
// prints their current values to paste into the test). Not a test file itself.
import { DEFAULT_CONFIG, type Config } from '../src/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { fnv1a } from '../src/io/checksum.ts';
import { createBackend } from '../src/linalg/create-backend.ts';
import { trainRun } from '../src/train-run.ts';

export interface GoldenValues {
  firstLosses: number[]; // layer 1's FF loss at the first steps, to 6 significant digits
  weights: string; // fnv1a of every layer's W and b and the head's W and b
  testErrors: [number | null, number | null]; // goodness and softmax error on the test subset (null: the mode has no such method)
}

export const GOLDEN_CASES: Record<string, Partial<Config>> = {
  'adam-hard-rms-sum': { layers: [784, 24, 16], epochs: 2, batchSize: 50, trainLimit: 400, testLimit: 200, optimizer: 'adam', lr: 0.003, negatives: 'hard' },
  'sgd-random-rms-mean-peer': {
    layers: [784, 20, 20, 12], epochs: 2, batchSize: 40, trainLimit: 400, testLimit: 200, optimizer: 'sgd', lr: 2,
    headLr: 0.1, norm: 'rms', goodness: 'mean', negatives: 'random', peerNorm: 0.03, scoredLayers: 'skip-first',
  },
  'unsupervised-hybrids': { mode: 'unsupervised', layers: [784, 20, 20, 20], epochs: 2, batchSize: 50, trainLimit: 400, testLimit: 200, lr: 0.003, scoredLayers: 'last-3' },
  'recurrent-top-down': { mode: 'recurrent', layers: [784, 24, 16], epochs: 1, batchSize: 50, trainLimit: 300, testLimit: 100, iterations: 4, scoreIterations: [2, 3], lr: 0.003, labelStrength: 15 },
  'greedy-reference-like': { layers: [784, 16, 16], epochs: 2, batchSize: 100, trainLimit: 300, testLimit: 200, lr: 0.03, norm: 'l2', goodness: 'mean', negatives: 'random', greedy: true, schedule: 'constant' },
};

export function runGolden(name: string, backend: 'js' | 'wasm' = 'js', threads = 1): GoldenValues {
  const cfg: Config = { ...DEFAULT_CONFIG, seed: 7, backend, threads, quiet: true, ...GOLDEN_CASES[name]! };
  const data = loadDataset({ trainLimit: cfg.trainLimit ?? undefined, testLimit: cfg.testLimit ?? undefined });
  const mm = createBackend(cfg.backend, cfg.threads, () => {});
  try {
    const r = trainRun(cfg, data, mm);
    const tensors = r.net.layers.flatMap((l) => [l.W, l.b]).concat([r.net.head.W, r.net.head.b]);
    return {
      firstLosses: r.firstLosses.slice(0, 6).map((x) => Number(x.toPrecision(6))),
      weights: fnv1a(tensors),
      testErrors: [r.test.goodness, r.test.softmax],
    };
  } finally {
    mm.close();
  }
}
