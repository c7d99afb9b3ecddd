// --epoch-validation: with 'softmax' every epoch but the last is validated by the softmax head
// alone (the goodness's 10 label passes per image cost several times the head's one pass), the
// last by every method; the training is the same to the bit, and the last epoch's validation and
// the test errors equal those of --epoch-validation all. Each validated epoch reports its time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { makeBackend } from '../src/run/backend.ts';
import { trainRun } from '../src/run/train-run.ts';

test('--epoch-validation softmax: the head alone but after the last epoch; the same training as all', () => {
  const cfg: Config = {
    ...DEFAULT_CONFIG, layers: [784, 40, 30], epochs: 3, batchSize: 50, trainLimit: 300, testLimit: 100, validation: 100, seed: 3,
    quiet: true, backend: 'js', threads: 1,
  };
  const data = loadDataset({ trainLimit: 300, testLimit: 100, validation: 100 });
  const be = makeBackend('js', 1, () => {});
  try {
    const all = trainRun(cfg, data, be), head = trainRun({ ...cfg, epochValidation: 'softmax' }, data, be);
    assert.ok(all.epochs.every((e) => e.validation!.goodness !== null && e.validation!.softmax !== null));
    assert.deepStrictEqual(head.epochs.map((e) => e.validation!.goodness === null), [true, true, false]);
    assert.deepStrictEqual(head.epochs.map((e) => e.validation!.softmax), all.epochs.map((e) => e.validation!.softmax));
    assert.deepStrictEqual(head.epochs[2]!.validation, all.epochs[2]!.validation);
    assert.deepStrictEqual(head.test, all.test);
    assert.deepStrictEqual(head.net.layers.map((l) => l.W), all.net.layers.map((l) => l.W));
    assert.ok([...all.epochs, ...head.epochs].every((e) => typeof e.validationSeconds === 'number' && e.validationSeconds >= 0));
  } finally {
    be.close();
  }
});
