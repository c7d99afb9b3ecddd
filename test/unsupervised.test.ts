// Unsupervised FF's greedy step (src/ff/modes/unsupervised.ts): the head reads every scored layer, so a
// greedy step that trains only a lower layer must still run the layers above on this step's
// images. The head's update must not depend on what the workspace held before the step (the
// previous step's or an evaluation's activities).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { buildNetwork, makeStreams, makeTrainer } from '../src/run/train-run.ts';

test('unsupervised greedy: the head learns from this step\'s activities of the layers above the trained one', () => {
  const cfg: Config = { ...DEFAULT_CONFIG, mode: 'unsupervised', layers: [784, 16, 12, 8], scoredLayers: 'last-2', batchSize: 20, greedy: true, backend: 'js', threads: 1 };
  const data = loadDataset({ trainLimit: 40, testLimit: 20 });
  const order = Int32Array.from({ length: 40 }, (_, i) => i);
  const headAfterStep = (period: number): Float32Array => {
    const net = buildNetwork(cfg, data.classes);
    const trainer = makeTrainer(cfg, net, data, createJsMatmul(), makeStreams(cfg.seed));
    for (const a of trainer.ws.acts) a.y.forEach((_, i) => { a.y[i] = i % period; }); // what an earlier pass could have left
    trainer.step({ split: data.train, order, start: 0, B: 20, lr: 0.01, headLr: 0.1, only: 0 }); // greedy: only layer 1 trains
    return Float32Array.from(net.head.W);
  };
  const a = headAfterStep(5), b = headAfterStep(7);
  assert.ok(a.some((w) => w !== 0), 'the head moved');
  assert.deepStrictEqual(b, a, 'the head update depends on stale activities');
});
