// Same seed and config → the same saved model, byte for byte; another seed → another model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type Config } from '../src/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { createBackend } from '../src/linalg/create-backend.ts';
import { saveNetwork } from '../src/model-io.ts';
import { trainRun } from '../src/train-run.ts';

function trainAndSave(path: string, over: Partial<Config>): Buffer {
  const cfg: Config = { ...DEFAULT_CONFIG, layers: [784, 20, 20], epochs: 1, batchSize: 50, trainLimit: 300, testLimit: 100, quiet: true, ...over };
  const data = loadDataset({ trainLimit: 300, testLimit: 100 });
  const mm = createBackend(cfg.backend, cfg.threads, () => {});
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
