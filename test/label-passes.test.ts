// The shared first-layer product of the 10 label passes (src/ff/label-passes.ts) against the
// plain computation: overlay each label, normalise, multiply, bias, ReLU, goodness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeAllLabelsFirstLayer } from '../src/ff/first-layer/label-passes.ts';
import { contextOf } from '../src/ff/context.ts';
import { layerForward, makeLayerActs, makeLayerParams, type LayerMath } from '../src/ff/layer/layer.ts';
import { overlayLabels } from '../src/ff/inputs/overlay.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { makeRng } from '../src/rng.ts';
import { assertClose } from './helpers.ts';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { datasetFromArrays } from '../src/data/from-arrays.ts';
import type { StepObserver } from '../src/ff/step-observer.ts';
import { buildNetwork, makeTrainer } from '../src/run/train-run.ts';

for (const norm of ['rms', 'l2'] as const) {
  for (const goodness of ['sum', 'mean'] as const) {
    test(`first layer of all labels from one product equals the plain passes (${norm}, ${goodness})`, () => {
      const n = 7, C = 10, D = 49, H = 13, s = 0.75;
      const rng = makeRng(11, 'label-passes');
      const layer = makeLayerParams(D, H);
      layer.W.forEach((_, i) => (layer.W[i] = rng.normal() / 7));
      layer.b.forEach((_, i) => (layer.b[i] = 0.1 * rng.normal()));
      const images = new Float32Array(n * D).map(() => (rng.uniform() < 0.5 ? 0 : rng.uniform()));
      const mm = createJsMatmul();
      const math: LayerMath = { norm, goodness, threshold: null, peerNorm: 0, peerMomentum: 0.9 };
      // Plain: C·n rows, block c = images with label c.
      const plainIn = new Float32Array(C * n * D);
      const labels = new Int32Array(C * n);
      for (let c = 0; c < C; c++) labels.fill(c, c * n, (c + 1) * n);
      for (let c = 0; c < C; c++) overlayLabels(plainIn.subarray(c * n * D), images, labels.subarray(c * n), n, D, C, s);
      const plain = makeLayerActs(C * n, D, H);
      layerForward({ math, mm: mm.matmul }, plain, plainIn, layer, C * n);
      // Shared product.
      const fast = makeLayerActs(C * n, D, H);
      makeAllLabelsFirstLayer(n, H, C, s).forward(contextOf(mm.matmul, math), layer, fast, images.slice(), C * n);
      assertClose(fast.y, plain.y, 1e-5, 'y');
      assertClose(fast.G, plain.G, 1e-5, 'G');
      assert.ok(plain.G.some((g) => g > 0), 'the test exercises active units');
    });
  }
}

// The training step's shared first layer (cfg.shortcuts) against the plain step, on the same
// network and batch: the normalised rows bit for bit (the square sums are added in the same order),
// the first layer's y, G, dZ, dW, db and the neutral pass's head features within float32 rounding
// (tolerance 2e-5 relative to each tensor's largest magnitude: the sums are taken in another
// order). Peer normalisation and hard negatives on, so every term of the step is exercised.
for (const norm of ['rms', 'l2'] as const) {
  test(`training step: shared first layer equals the plain first layer (${norm})`, () => {
    const n = 40, D = 36, C = 10;
    const rng = makeRng(5, 'shared-step');
    const split = (count: number): { images: Float32Array; labels: Int32Array } => ({
      images: new Float32Array(count * D).map(() => (rng.uniform() < 0.4 ? 0 : rng.uniform())),
      labels: new Int32Array(count).map(() => Math.floor(rng.uniform() * C)),
    });
    const data = datasetFromArrays({ train: split(n), test: split(10), rows: 6, cols: 6 });
    const seen = (shortcuts: boolean): Record<string, Float32Array> => {
      const cfg: Config = { ...DEFAULT_CONFIG, layers: [D, 24, 16], batchSize: 20, norm, peerNorm: 0.03, labelStrength: 0.8, shortcuts };
      const trainer = makeTrainer(cfg, buildNetwork(cfg, C), data, createJsMatmul());
      const got: Record<string, Float32Array> = {};
      const obs: StepObserver = {
        onHead: (phase, v) => { if (phase === 'forward') got.feats = v.feats.slice(0, v.rows * v.feats.length / trainer.ws.rows); },
        onLayer: (l, phase, v) => {
          if (l !== 0) return;
          if (phase === 'forward') {
            Object.assign(got, { xhat: v.acts.xhat.slice(0, v.rows * D), y: v.acts.y.slice(0, v.rows * 24), G: v.acts.G.slice(0, v.rows) });
          }
          else got.dZ = v.acts.dZ.slice(0, v.rows * 24);
        },
        onOptimizer: (target, phase, _o, _p, grads) => {
          if (target === 0 && phase === 'before') Object.assign(got, { dW: grads[0]!.slice(), db: grads[1]!.slice() });
        },
      };
      const order = new Int32Array(n).map((_, i) => i);
      // the same initial weights in both
      trainer.step({ split: data.train, order, start: 0, B: 20, lr: cfg.lr, headLr: cfg.headLr, only: null }, obs);
      return got;
    };
    const fast = seen(true), plain = seen(false);
    assert.deepEqual(Array.from(fast.xhat!), Array.from(plain.xhat!), 'x̂ bit for bit');
    for (const k of ['feats', 'y', 'G', 'dZ', 'dW', 'db']) {
      const scale = Math.max(...plain[k]!.map(Math.abs));
      assert.ok(scale > 0, `${k} is not all zero`);
      assertClose(fast[k]!, plain[k]!, 2e-5 * scale, k);
    }
    assert.ok(fast.dW!.some((w, i) => w !== plain.dW![i]), 'the two paths are different code (their rounding differs)');
  });
}
