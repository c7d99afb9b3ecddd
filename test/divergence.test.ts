// The divergence guard (src/run/divergence.ts): a learning rate far too large stops the run with a
// DivergedError naming the layer, epoch and step; a healthy run is never stopped; a non-finite
// weight is found where the weights are about to be kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { DivergedError } from '../src/errors.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { buildNetwork, trainRun } from '../src/run/train-run.ts';
import { checkStepFinite, checkWeightsFinite } from '../src/run/divergence.ts';

const cfg: Config = { ...DEFAULT_CONFIG, layers: [784, 32], epochs: 1, batchSize: 100, trainLimit: 500, testLimit: 100, backend: 'js', threads: 1 };

test('--lr 1e30 stops at the first non-finite statistic, naming layer, epoch and step', () => {
  const data = loadDataset({ trainLimit: 500, testLimit: 100 });
  let steps = 0;
  assert.throws(() => trainRun({ ...cfg, lr: 1e30 }, data, createJsMatmul(), { onStep: () => { steps++; } }), (err: unknown) => {
    assert.ok(err instanceof DivergedError, String(err));
    assert.match(err.message, /^layer 1 has a non-finite loss \(Infinity\) at epoch 1, step 2; lower --lr/);
    return true;
  });
  assert.equal(steps, 1, 'the diverged step is not reported as done');
  const ok = trainRun(cfg, data, createJsMatmul());
  assert.equal(ok.epochs.length, 1);
});

test('the checks name what is not finite', () => {
  const stats = {
    layers: [{ loss: 1, goodPos: 2, goodNeg: 3, pairErrors: 0 }, { loss: 1, goodPos: NaN, goodNeg: 3, pairErrors: 0 }], headLoss: 0.5, rows: 4,
  };
  assert.throws(() => checkStepFinite(stats, 3, 7), /^DivergedError: layer 2 has a non-finite goodness of positive rows \(NaN\) at epoch 3, step 7/);
  stats.layers[1]!.goodPos = 1;
  checkStepFinite(stats, 3, 7);
  stats.headLoss = Infinity;
  assert.throws(() => checkStepFinite(stats, 3, 7), /the softmax head has a non-finite loss/);
  const net = buildNetwork(cfg, 10);
  checkWeightsFinite(net, 1, 1);
  net.layers[0]!.W[17] = -Infinity;
  assert.throws(() => checkWeightsFinite(net, 2, 5), /^DivergedError: layer 1 weight 17 is -Infinity at epoch 2, step 5/);
  net.layers[0]!.W[17] = 0;
  net.head.b[3] = NaN;
  assert.throws(() => checkWeightsFinite(net, 2, 5), /the softmax head bias 3 is NaN/);
});
