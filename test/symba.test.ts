// The SymBa loss (src/ff/layer/definitions.ts symbaLossRows, --loss symba): exact values on small
// inputs, its hand-derived dL/dG against central finite differences in float64, the layer's
// weight gradient under it against finite differences (the library's own forward and backward on
// Float64Array storage), and in a training step of every mode: the loss the step reports is the
// mean pair loss of its own goodness, which the epoch line prints as `symba`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { epochLine } from '../apps/cli/report.ts';
import { softplus, sigmoid, symbaLossRows } from '../src/ff/layer/definitions.ts';
import { layerBackward, layerForward, type LayerActs, type LayerMath, type LayerParams } from '../src/ff/layer/layer.ts';
import type { StepObserver } from '../src/ff/step-observer.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { matmulNaive } from '../src/linalg/matmul-naive.ts';
import { makeRng } from '../src/rng.ts';
import { buildNetwork, makeStreams, makeTrainer, type EpochReport } from '../src/run/train-run.ts';
import { assertClose, centralDifference } from './helpers.ts';

test('symbaLossRows: exact values on small inputs (pairs (r, B + r))', () => {
  // B = 2, α = 4. Pair 0: G⁺ = 3, G⁻ = 3 → u = 0: loss log 2, dL/dG = ∓α·σ(0)/B = ∓1 exactly.
  // Pair 1: G⁺ = 1, G⁻ = 5 → u = 16.
  const G = Float32Array.from([3, 1, 3, 5]), dLdG = new Float32Array(4);
  const L = symbaLossRows(dLdG, G, 4, 4);
  assert.equal(dLdG[0], -1);
  assert.equal(dLdG[2], 1);
  assert.equal(dLdG[1], Math.fround(-2 * sigmoid(16)));
  assert.equal(dLdG[3], Math.fround(2 * sigmoid(16)));
  assert.equal(L, (Math.LN2 + softplus(16)) / 2);
  // A well-separated pair costs almost nothing; a reversed one costs about α·(G⁻ − G⁺).
  const d2 = new Float64Array(2);
  assertClose([symbaLossRows(d2, Float64Array.from([100, 0]), 2, 4)], [softplus(-400)], 0, 'G⁺ ≫ G⁻');
  assert.ok(symbaLossRows(d2, Float64Array.from([100, 0]), 2, 4) < 1e-170);
  assertClose([symbaLossRows(d2, Float64Array.from([0, 100]), 2, 4)], [400], 1e-12, 'G⁻ ≫ G⁺');
  assert.deepStrictEqual(Array.from(d2), [-4, 4], 'a reversed pair pushes with the full α/B');
  assert.throws(() => symbaLossRows(d2, Float64Array.from([1, 2, 3]), 3, 4), /pairs/);
});

test('symbaLossRows: dL/dG matches finite differences in float64', () => {
  const R = 10, rng = makeRng(5, 'symba-fd');
  for (const alpha of [0.5, 4]) {
    const G = new Float64Array(R).map(() => 3 * rng.uniform());
    const dLdG = new Float64Array(R);
    symbaLossRows(dLdG, G, R, alpha);
    const scratch = new Float64Array(R);
    for (let r = 0; r < R; r++) {
      const fd = centralDifference(G, r, 1e-6, () => symbaLossRows(scratch, G, R, alpha));
      assertClose([dLdG[r]!], [fd], 1e-8, `α ${alpha}, row ${r}`);
    }
    for (let r = 0; r < R / 2; r++) assert.equal(dLdG[r], -dLdG[R / 2 + r]!, 'equal and opposite within a pair');
  }
});

const mm = (c: any, a: any, b: any) => matmulNaive<Float64Array>(c, a, b);

test('the layer\'s weight gradient under SymBa matches finite differences (rms and l2, sum and mean, with peer normalisation off)', () => {
  const N = 8, B = 4, D = 5, H = 4;
  for (const norm of ['rms', 'l2'] as const) {
    for (const goodness of ['sum', 'mean'] as const) {
      const math: LayerMath = {
        norm, goodness, threshold: null, peerNorm: 0, peerMomentum: 0.9, loss: 'symba', symbaAlpha: goodness === 'sum' ? 1 : 4,
      };
      const rng = makeRng(3, 'symba-layer');
      const x = new Float64Array(N * D).map(() => rng.uniform());
      const layer: LayerParams<Float64Array> = {
        D, H, W: new Float64Array(D * H).map(() => rng.normal() / Math.sqrt(D)), b: new Float64Array(H).map(() => 0.1 + 0.1 * rng.normal()),
        dW: new Float64Array(D * H), db: new Float64Array(H), peerMean: new Float64Array(H),
      };
      const acts = (): LayerActs<Float64Array> => ({
        xhat: new Float64Array(N * D), y: new Float64Array(N * H), G: new Float64Array(N), dLdG: new Float64Array(N), dZ: new Float64Array(N * H),
      });
      const objective = (): number => {
        const a = acts();
        layerForward({ math, mm }, a, x, layer, N);
        return layerBackward({ math, mm }, a, { ...layer, dW: new Float64Array(D * H), db: new Float64Array(H) }, { N, P: B });
      };
      const a = acts();
      layerForward({ math, mm }, a, x, layer, N);
      layerBackward({ math, mm }, a, layer, { N, P: B });
      for (const [name, param, grad] of [['W', layer.W, layer.dW], ['b', layer.b, layer.db]] as const) {
        for (let i = 0; i < param.length; i++) {
          const fd = centralDifference(param, i, 1e-6, objective);
          const err = Math.abs(fd - grad[i]!) / Math.max(1e-8, Math.abs(fd) + Math.abs(grad[i]!));
          const what = `${norm} ${goodness} ${name}[${i}]: finite difference ${fd} vs backward ${grad[i]}`;
          assert.ok(err < 1e-5 || Math.abs(fd - grad[i]!) < 1e-10, what);
        }
      }
      assert.throws(() => layerBackward({ math, mm }, a, layer, { N, P: 3 }), /2P/, 'SymBa needs the rows in pairs');
    }
  }
});

test('in a training step of every mode the reported loss is the mean SymBa pair loss of the step\'s goodness; the epoch line calls it symba', () => {
  const data = loadDataset({ trainLimit: 40, testLimit: 10 });
  for (const mode of ['supervised', 'unsupervised', 'recurrent'] as const) {
    const cfg: Config = {
      ...DEFAULT_CONFIG, backend: 'js', mode, layers: [784, 10, 8], batchSize: 5, loss: 'symba', symbaAlpha: 0.5, seed: 2,
      ...(mode === 'recurrent' ? { iterations: 2, scoreIterations: [1, 2] as [number, number] } : {}),
    };
    const trainer = makeTrainer(cfg, buildNetwork(cfg, 10), data, createJsMatmul(), makeStreams(cfg.seed));
    const seen: number[][] = [[], []];
    const obs: StepObserver = {
      onLayer(l, phase, v) {
        if (phase !== 'backward') return;
        let sum = 0;
        for (let r = 0; r < 5; r++) sum += softplus(0.5 * (v.acts.G[5 + r]! - v.acts.G[r]!));
        assertClose([v.loss], [sum / 5], 1e-12, `${mode} layer ${l + 1}: loss = mean pair loss`);
        seen[l]!.push(v.loss);
      },
    };
    const order = Int32Array.from({ length: 40 }, (_, i) => i);
    const stats = trainer.step({ split: data.train, order, start: 0, B: 5, lr: 0.001, headLr: 0.01, only: null }, obs);
    stats.layers.forEach((s, l) => {
      const mean = seen[l]!.reduce((a, b) => a + b, 0) / seen[l]!.length; // recurrent: the mean over the T iterations
      assertClose([s.loss], [mean], 1e-12, `${mode} layer ${l + 1}: the step's loss`);
    });
  }
  const report: EpochReport = {
    epoch: 1, trainingLayer: null, layers: [{ loss: 0.5, goodPos: 2, goodNeg: 1, pairError: 0.1 }], headLoss: 1, validation: null, seconds: 1,
    examplesPerSecond: 10,
  };
  assert.match(epochLine(report, 1, 'symba'), /L1 symba 0\.5000 G\+/);
  assert.match(epochLine(report, 1, 'ff'), /L1 loss 0\.5000 G\+/);
});
