// The shared first-layer product of the 10 label passes (src/ff/label-passes.ts) against the
// plain computation: overlay each label, normalise, multiply, bias, ReLU, goodness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstLayerAllLabels } from '../src/ff/label-passes.ts';
import { layerForward, makeLayerActs, makeLayerParams, type LayerMath } from '../src/ff/layer.ts';
import { overlayLabels } from '../src/ff/overlay.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { makeRng } from '../src/rng.ts';
import { assertClose } from './helpers.ts';

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
      layerForward(plain, plainIn, layer, C * n, math, mm.matmul);
      // Shared product.
      const fast = makeLayerActs(C * n, D, H);
      firstLayerAllLabels(fast, new Float32Array(n * H), images.slice(), layer, n, C, s, norm, goodness, mm.matmul);
      assertClose(fast.y, plain.y, 1e-5, 'y');
      assertClose(fast.G, plain.G, 1e-5, 'G');
      assert.ok(plain.G.some((g) => g > 0), 'the test exercises active units');
    });
  }
}
