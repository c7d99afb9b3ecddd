// Same seed and config → the same saved model, byte for byte; another seed → another model;
// 1 or 2 threads → the same model, on both backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { makeBackend } from '../src/run/backend.ts';
import { saveNetwork } from '../src/model/model-io.ts';
import { trainRun } from '../src/run/train-run.ts';

function trainAndSave(path: string, over: Partial<Config>): Buffer {
  const cfg: Config = { ...DEFAULT_CONFIG, layers: [784, 20, 20], epochs: 1, batchSize: 50, trainLimit: 300, testLimit: 100, quiet: true, ...over };
  const data = loadDataset({ trainLimit: 300, testLimit: 100 });
  const mm = makeBackend(cfg.backend, cfg.threads, () => {});
  try {
    saveNetwork(path, trainRun(cfg, data, mm).net, cfg);
  } finally {
    mm.close();
  }
  return readFileSync(path);
}

test('same seed and config give a byte-identical saved model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-det-'));
  try {
    const a = trainAndSave(join(dir, 'a.safetensors'), { seed: 3 });
    const b = trainAndSave(join(dir, 'b.safetensors'), { seed: 3 });
    const c = trainAndSave(join(dir, 'c.safetensors'), { seed: 4 });
    assert.ok(a.equals(b), 'two runs with seed 3 differ');
    assert.ok(!a.equals(c), 'seeds 3 and 4 gave the same model');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const backend of ['js', 'wasm'] as const) {
  test(`--threads 1 and --threads 2 give a byte-identical saved model (${backend} backend)`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-det-'));
    try {
      const one = trainAndSave(join(dir, '1.safetensors'), { seed: 5, backend, threads: 1, layers: [784, 64, 48] });
      const two = trainAndSave(join(dir, '2.safetensors'), { seed: 5, backend, threads: 2, layers: [784, 64, 48] });
      assert.ok(one.equals(two), `${backend}: threads 1 and 2 differ`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// A net wide enough that the row kernels, the optimizer updates and the staging copies run as
// row jobs on the pool (test/row-jobs.test.ts checks each against the calling thread alone):
// still the same bits for 1 and 2 threads, with the shortcuts on and off, Adam and smoothed SGD
// with peer normalisation, and unsupervised.
function trainWide(over: Partial<Config>, threads: number): { model: Buffer; shared: number } {
  const cfg: Config = {
    ...DEFAULT_CONFIG, layers: [784, 400, 300], epochs: 1, batchSize: 100, trainLimit: 300, testLimit: 100, quiet: true, seed: 9, threads, ...over,
  };
  const data = loadDataset({ trainLimit: 300, testLimit: 100 });
  const backend = makeBackend('wasm', threads, () => {});
  const dir = mkdtempSync(join(tmpdir(), 'ff-det-'));
  try {
    if (threads > 1) assert.ok(backend.rows.waitUntilShared(60_000), 'the workers did not load the row tasks');
    saveNetwork(join(dir, 'm.safetensors'), trainRun(cfg, data, backend).net, cfg);
    return { model: readFileSync(join(dir, 'm.safetensors')), shared: backend.rows.sharedJobs() };
  } finally {
    backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const WIDE_CASES: [string, Partial<Config>][] = [
  ['Adam, shortcuts on', {}],
  ['Adam, shortcuts off', { shortcuts: false }],
  ['smoothed SGD with peer normalisation, shortcuts on',
    { optimizer: 'sgd', lr: 0.01, headLr: 0.1, peerNorm: 0.03, weightCost: 0.001, headWeightCost: 0.003 }],
  ['unsupervised', { mode: 'unsupervised' }],
];
for (const [name, over] of WIDE_CASES) {
  test(`row jobs on the pool: threads 1 and 2 give a byte-identical saved model (${name})`, () => {
    const one = trainWide(over, 1);
    const two = trainWide(over, 2);
    assert.equal(one.shared, 0);
    assert.ok(two.shared > 50, `only ${two.shared} row jobs ran on the pool`);
    assert.ok(one.model.equals(two.model), `${name}: threads 1 and 2 differ`);
  });
}
