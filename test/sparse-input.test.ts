// --sparse-input: the first layer's products over the input's non-zeros change no bit of a run.
// Seeded short runs on the wasm backend with --sparse-input auto and off give the same weights and
// test errors, to the bit: supervised with the shared first layer (hinton-aug's shifts, dropout,
// smoothed SGD, peer normalisation), the plain step (--no-shortcuts) and unsupervised, on MNIST,
// where the sparse kernel must actually run (its measured density is printed), and on MNIST made
// dense (every pixel non-zero), where the threshold must choose the dense kernel every time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset, type Dataset, type Split } from '../src/data/dataset.ts';
import type { MatmulBackend, SparseProduct } from '../src/linalg/backend.ts';
import { SPARSE_MAX_DENSITY } from '../src/linalg/wasm/matmul.ts';
import { makeBackend } from '../src/run/backend.ts';
import { trainRun } from '../src/run/train-run.ts';

/** A backend that records every matmulSparse choice of `be`. */
function recording(be: MatmulBackend, uses: SparseProduct[]): MatmulBackend {
  return {
    ...be, matmul: be.matmul.bind(be),
    matmulSparse: (c, a, b) => {
      const use = be.matmulSparse!(c, a, b);
      uses.push(use);
      return use;
    },
  };
}

/** The run's weights (every layer and the head) and its test errors, with --sparse-input mode. */
function run(cfg: Config, data: Dataset, mode: Config['sparseInput'], uses: SparseProduct[]): { tensors: Float32Array[]; errors: unknown } {
  const be = makeBackend('wasm', cfg.threads, () => {});
  try {
    if (cfg.threads > 1) assert.ok(be.rows.waitUntilShared(60_000), 'the workers did not load the row tasks');
    const r = trainRun({ ...cfg, sparseInput: mode }, data, recording(be, uses));
    const tensors = [...r.net.layers.flatMap((l) => [l.W, l.b]), r.net.head.W, r.net.head.b].map((t) => t.slice());
    return { tensors, errors: { test: r.test, losses: r.firstLosses } };
  } finally {
    be.close();
  }
}

const BASE: Config = {
  ...DEFAULT_CONFIG, layers: [784, 40, 30], epochs: 1, batchSize: 50, trainLimit: 300, testLimit: 200, seed: 11, quiet: true,
  backend: 'wasm', threads: 1,
};
const CASES: [string, Partial<Config>][] = [
  ['supervised, shared first layer, hinton-aug\'s augmentation', {
    optimizer: 'sgd', lr: 0.01, smoothing: 0.9, weightCost: 0.002, shift: 1, dropout: 0.1, peerNorm: 0.03, scoredLayers: 'skip-first',
  }],
  ['supervised, the plain step', { shortcuts: false }],
  ['unsupervised', { mode: 'unsupervised', scoredLayers: 'all', lr: 0.001 }],
];

const mnist = loadDataset({ trainLimit: 300, testLimit: 200 });

for (const [name, over] of CASES) {
  for (const threads of name === 'unsupervised' ? [1] : [1, 2]) {
    test(`--sparse-input auto and off give the same bits: ${name}, ${threads} thread(s)`, () => {
      const cfg = { ...BASE, ...over, threads }, uses: SparseProduct[] = [];
      const off = run(cfg, mnist, 'off', uses);
      assert.equal(uses.length, 0, 'off must not call matmulSparse');
      const auto = run(cfg, mnist, 'auto', uses);
      assert.deepStrictEqual(auto.tensors, off.tensors);
      assert.deepStrictEqual(auto.errors, off.errors);
      const sparse = uses.filter((u) => u.sparse);
      assert.ok(sparse.length > 0 && sparse.length === uses.length, `${sparse.length} of ${uses.length} first-layer products sparse`);
      const mean = uses.reduce((s, u) => s + u.density, 0) / uses.length;
      process.stdout.write(`${name}: ${uses.length} first-layer products, mean density ${mean.toFixed(3)}\n`);
    });
  }
}

/** The split with every pixel at least 3/255: no zeros left for the sparse kernel to skip. */
function denseSplit(s: Split): Split {
  return { ...s, images: s.images.map((v) => Math.max(v, 3)) };
}

test('on images without zeros the threshold keeps every product dense, with the same bits', () => {
  const data: Dataset = { ...mnist, train: denseSplit(mnist.train), test: denseSplit(mnist.test) };
  const cfg = { ...BASE, ...CASES[0]![1] }, uses: SparseProduct[] = [];
  const off = run(cfg, data, 'off', uses);
  const auto = run(cfg, data, 'auto', uses);
  assert.deepStrictEqual(auto.tensors, off.tensors);
  // Only the 10 label pixels (zeroed in x_rest, the shared first layer's input) are left to skip: far above the threshold.
  assert.ok(uses.length > 0 && uses.every((u) => !u.sparse && u.density > SPARSE_MAX_DENSITY), `${uses.filter((u) => u.sparse).length} sparse`);
});
