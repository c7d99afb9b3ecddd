// Self-Contrastive FF and what its recipe brought: standardisation (rows.ts), the pair rows
// (pairs.ts: the first layer's x̂ of [a | b] through [W; W] equals (â + b̂)·W, checked against the
// concatenated product in float64), the partners of a step, the triangle activity, the negative
// threshold θ⁻ of the FF loss (value and dL/dG by central differences), the readout phase (the
// head alone on frozen layers: the layers end bit-equal to the run without it), and the flags'
// one-line errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stdNormalizeRows } from '../src/linalg/rows.ts';
import { ffLossRows, normalizeRows, RMS_EPS, softplus, STD_EPS } from '../src/ff/layer/definitions.ts';
import { drawPairPartners, pairInputRows } from '../src/ff/inputs/pairs.ts';
import { triangleRows } from '../src/ff/layer/layer.ts';
import { makeRng } from '../src/rng.ts';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { readoutStart, stepCounts, trainRun } from '../src/run/train-run.ts';
import { checkConfig } from '../src/run/check-config.ts';
import { applyPreset } from '../src/config/presets.ts';
import { assertClose, assertUserError, centralDifference } from './helpers.ts';

describe('standardisation (--norm std)', () => {
  test('exact on a dyadic row: mean 2 and unbiased std 1 give the deviations', () => {
    const out = new Float32Array(5);
    stdNormalizeRows(out, Float32Array.of(1, 1, 2, 3, 3), 1, 5, STD_EPS);
    assert.deepStrictEqual(Array.from(out), [-1, -1, 0, 1, 1]);
  });

  test('rows are independent, in place works, and a constant row gives zeros (ε guards 0/0)', () => {
    const x = Float32Array.of(1, 1, 2, 3, 3, 7, 7, 7, 7, 7);
    normalizeRows(x, x, 2, 5, 'std');
    assert.deepStrictEqual(Array.from(x), [-1, -1, 0, 1, 1, 0, 0, 0, 0, 0]);
  });
});

describe('Self-Contrastive FF pairs', () => {
  const D = 5;
  // Two images: a has mean 2 and unbiased std 1; b = 2·a + 1 standardises to the same row.
  const images = Float64Array.of(1, 1, 2, 3, 3, 0, 4, 1, 1, 4);

  test('a positive pair (an image beside itself) is 2·std(x) scaled by the joint norm', () => {
    const u = new Float64Array(D), scratch = new Float64Array(2 * D);
    pairInputRows(u, images, images, Int32Array.of(0), 1, D, 'rms', scratch);
    // [s | s] with s = (−1, −1, 0, 1, 1): rms over 10 values = sqrt(8/10); u = 2s / (ε + sqrt(0.8)).
    const s = [-1, -1, 0, 1, 1];
    assertClose(u, s.map((v) => (2 * v) / (RMS_EPS + Math.sqrt(0.8))), 1e-12, 'positive pair');
  });

  test('two sources: row r pairs a_r with b_{partner[r]}, as if both images stood in one array', () => {
    const a = images.subarray(0, D), b = images.subarray(D, 2 * D);
    for (const norm of ['rms', 'l2', 'std'] as const) {
      const u = new Float64Array(D), v = new Float64Array(D), scratch = new Float64Array(2 * D);
      pairInputRows(u, a, b, Int32Array.of(0), 1, D, norm, scratch); // a beside b's row 0
      pairInputRows(v, images, images, Int32Array.of(1), 1, D, norm, scratch); // image 0 beside image 1
      assert.deepStrictEqual(u, v, norm);
    }
  });

  test('(â + b̂)·W equals the concatenated row [â | b̂] through [W; W], for every norm', () => {
    const rng = makeRng(3, 'scff-test');
    const H = 3;
    const W = Float64Array.from({ length: D * H }, () => rng.normal());
    for (const norm of ['rms', 'l2', 'std'] as const) {
      const u = new Float64Array(D), scratch = new Float64Array(2 * D);
      pairInputRows(u, images, images, Int32Array.of(1), 1, D, norm, scratch); // image 0 beside image 1
      // The concatenated row, built by the definitions alone.
      const cat = new Float64Array(2 * D);
      stdNormalizeRows(cat.subarray(0, D), images.subarray(0, D), 1, D, STD_EPS);
      stdNormalizeRows(cat.subarray(D), images.subarray(D, 2 * D), 1, D, STD_EPS);
      normalizeRows(cat, cat, 1, 2 * D, norm);
      for (let j = 0; j < H; j++) {
        let viaSum = 0, viaConcat = 0;
        for (let i = 0; i < D; i++) viaSum += u[i]! * W[i * H + j]!;
        for (let i = 0; i < 2 * D; i++) viaConcat += cat[i]! * W[(i % D) * H + j]!;
        assertClose([viaSum], [viaConcat], 1e-12, `${norm}: unit ${j}`);
      }
    }
  });

  test('partners: one offset k in 1..B−1 per step, never the image itself; a batch of one pairs with itself', () => {
    const rng = makeRng(1, 'pairs');
    const seen = new Set<number>();
    for (let t = 0; t < 200; t++) {
      const out = new Int32Array(7);
      const k = drawPairPartners(out, 7, rng);
      assert.ok(k >= 1 && k <= 6, `k = ${k}`);
      seen.add(k);
      for (let r = 0; r < 7; r++) assert.equal(out[r], (r + k) % 7);
    }
    assert.equal(seen.size, 6, 'every offset is drawn');
    const one = new Int32Array(1);
    assert.equal(drawPairPartners(one, 1, rng), 0);
    assert.equal(one[0], 0);
  });
});

test('triangle activity: relu(z − mean_j z), exact on dyadic rows, with the bias inside z', () => {
  const up = new Float32Array(8);
  // z = x̂·W + b: row 0 (0, 2, −3, 1) + b = (1, 3, −2, 2), mean 1; row 1 (−1, 1, −4, 0) + b = (0, 2, −3, 1), mean 0.
  triangleRows(up, Float32Array.of(0, 2, -3, 1, -1, 1, -4, 0), Float32Array.of(1, 1, 1, 1), 2, 4);
  assert.deepStrictEqual(Array.from(up), [0, 2, 0, 1, 0, 2, 0, 1]);
});

describe('the negative threshold θ⁻', () => {
  test('values: softplus(θ − G) on positive rows, softplus(G − θ⁻) on negative rows', () => {
    const G = Float64Array.of(5, 3, 7, 2), dLdG = new Float64Array(4);
    const loss = ffLossRows(dLdG, G, 4, 2, 4, 6);
    const want = (softplus(4 - 5) + softplus(4 - 3) + softplus(7 - 6) + softplus(2 - 6)) / 4;
    assertClose([loss], [want], 1e-15, 'loss');
  });

  test('dL/dG against central differences of the returned loss (float64)', () => {
    const G = Float64Array.of(5, 3, 7, 2, 6.5), dLdG = new Float64Array(5);
    ffLossRows(dLdG, G, 5, 2, 4, 6);
    const fd = Array.from(G, (_, i) => centralDifference(G, i, 1e-5, () => ffLossRows(new Float64Array(5), G, 5, 2, 4, 6)));
    assertClose(dLdG, fd, 1e-9, 'dL/dG');
  });
});

describe('the readout phase (--readout-epochs)', () => {
  const cfg: Config = {
    ...DEFAULT_CONFIG, mode: 'unsupervised', contrast: 'scff', layers: [784, 20, 16], scoredLayers: 'all', batchSize: 50, epochs: 2,
    lr: 0.003, seed: 4, backend: 'js', threads: 1, quiet: true,
  };
  const data = loadDataset({ trainLimit: 300, testLimit: 200 });

  test('the head alone learns: the layers end bit-equal to the run without a readout, the head does not', () => {
    const plain = trainRun(cfg, data, createJsMatmul());
    const withReadout = trainRun({ ...cfg, readoutEpochs: 2 }, data, createJsMatmul());
    assert.equal(withReadout.epochs.length, 4);
    assert.deepStrictEqual(withReadout.epochs.map((e) => e.trainingLayer), [null, null, 0, 0]);
    for (let l = 0; l < 2; l++) {
      assert.deepStrictEqual(withReadout.net.layers[l]!.W, plain.net.layers[l]!.W, `layer ${l + 1} W`);
      assert.deepStrictEqual(withReadout.net.layers[l]!.b, plain.net.layers[l]!.b, `layer ${l + 1} b`);
    }
    assert.notDeepStrictEqual(withReadout.net.head.W, plain.net.head.W);
    assert.ok(withReadout.epochs[3]!.headLoss < withReadout.epochs[1]!.headLoss, 'the readout lowers the head loss');
    assert.deepStrictEqual(stepCounts({ ...cfg, readoutEpochs: 2 }, 300), { perEpoch: 6, phases: 2, epochs: 4, total: 24 });
    assert.deepStrictEqual(stepCounts({ ...cfg, readoutEpochs: 2, greedy: true }, 300), { perEpoch: 6, phases: 3, epochs: 6, total: 36 });
  });

  test('readoutStart (readout.ts): the readout alone on trained layers, from a zero head; the layers keep their bits', () => {
    const plain = trainRun(cfg, data, createJsMatmul());
    const rcfg: Config = { ...cfg, readoutEpochs: 2 };
    const head0 = plain.net.head.W.slice();
    const r = trainRun(rcfg, data, createJsMatmul(), {}, readoutStart(plain.net, rcfg));
    assert.deepStrictEqual(
      r.epochs.map((e) => [e.epoch, e.trainingLayer]), [[3, 0], [4, 0]], 'only the readout epochs, numbered after the FF epochs',
    );
    for (let l = 0; l < 2; l++) assert.deepStrictEqual(r.net.layers[l]!.W, plain.net.layers[l]!.W, `layer ${l + 1} W`);
    assert.deepStrictEqual(plain.net.head.W, head0, 'the trained network is not touched');
    // The state the run starts from (head at zero, the readout phase); run again, the same bits.
    const zeroed = trainRun(rcfg, data, createJsMatmul(), {}, (fresh) => {
      const s = readoutStart(plain.net, rcfg)(fresh);
      assert.ok(s.net.head.W.every((w) => w === 0) && s.net.head.b.every((b) => b === 0), 'the head starts at zero');
      assert.equal(s.phase, 1, 'the run starts at its readout phase');
      return s;
    });
    assert.deepStrictEqual(zeroed.net.head.W, r.net.head.W);
    assert.ok(r.epochs[1]!.headLoss < r.epochs[0]!.headLoss, 'the new head learns');
    assert.throws(() => readoutStart(plain.net, cfg), /no readout epochs/);
  });
});

test('flags: triangle and scff are unsupervised only, the readout not recurrent', () => {
  assertUserError(() => checkConfig({ ...DEFAULT_CONFIG, act: 'triangle' }), ['--act triangle applies to --mode unsupervised only']);
  assertUserError(() => checkConfig({ ...DEFAULT_CONFIG, contrast: 'scff' }), ['--contrast scff applies to --mode unsupervised only']);
  assertUserError(
    () => checkConfig({ ...DEFAULT_CONFIG, mode: 'recurrent', readoutEpochs: 1 }), ['--readout-epochs does not apply to --mode recurrent'],
  );
  const scff = applyPreset({ ...DEFAULT_CONFIG }, 'scff');
  assertUserError(() => checkConfig({ ...scff, contrast: 'hybrid', views: 2 }), ['--views 2 applies to --contrast scff only']);
  assertUserError(() => checkConfig({ ...scff, shift: 0, views: 2 }), ['--views 2 needs --shift K > 0']);
  checkConfig({ ...scff, views: 2 });
});
