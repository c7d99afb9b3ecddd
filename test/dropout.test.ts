// Inverted dropout of the hidden units (src/ff/inputs/dropout.ts, --dropout P): exact masks and scaling
// on dyadic values, the masks replayed from the 'dropout' stream, the hand-derived backward
// (dL/dz = dLdG·2s·ỹ/(1 − P), layer.ts) against central finite differences in float64 with a
// fixed mask (the library's own forward, dropout and backward on Float64Array storage), for both
// losses and goodness kinds; and in a training step: one mask per row and layer, drawn from the
// stream in order, the next layer reads ỹ, the neutral pass and evaluation never drop.
// Resuming with --dropout is in test/resume.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { goodnessRows, type Goodness } from '../src/ff/layer/definitions.ts';
import { dropoutRows, makeDropout } from '../src/ff/inputs/dropout.ts';
import { layerBackward, layerForward, type LayerActs, type LayerMath, type LayerParams } from '../src/ff/layer/layer.ts';
import type { StepObserver } from '../src/ff/step-observer.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { matmulNaive } from '../src/linalg/matmul-naive.ts';
import { makeRng } from '../src/rng.ts';
import { buildNetwork, makeStreams, makeTrainer } from '../src/run/train-run.ts';
import { centralDifference } from './helpers.ts';

test('dropoutRows keeps a unit where its uniform is ≥ P, scales it by 1/(1 − P), zeroes the rest: exact on dyadic values', () => {
  const N = 3, H = 4, P = 0.5;
  const y = Float32Array.from([0.5, 1, 0, 2, 0.25, 3, 1.5, 0.75, 4, 0.125, 1, 2]);
  const keep = new Uint8Array(N * H);
  const out = y.slice();
  dropoutRows(out, keep, N, H, { p: P, rng: makeRng(2, 'dropout') });
  const replay = makeRng(2, 'dropout');
  for (let i = 0; i < N * H; i++) {
    const kept = replay.uniform() >= P;
    assert.equal(keep[i], kept ? 1 : 0, `mask [${i}]`);
    assert.equal(out[i], kept ? 2 * y[i]! : 0, `ỹ [${i}]`);
  }
  assert.ok(keep.includes(0) && keep.includes(1), 'both kept and dropped units in 12 draws');
  // Over many units the kept fraction is 1 − P (within 5 standard deviations).
  const n = 100_000, p = 0.3, big = new Float32Array(n).fill(1), mask = new Uint8Array(n);
  dropoutRows(big, mask, 1, n, { p, rng: makeRng(9, 'dropout') });
  const kept = mask.reduce((a, m) => a + m, 0) / n;
  assert.ok(Math.abs(kept - (1 - p)) < 5 * Math.sqrt(p * (1 - p) / n), `kept fraction ${kept}`);
  assert.ok(big.every((v, i) => v === (mask[i] ? Math.fround(1 / 0.7) : 0)));
  assert.equal(makeDropout(0, undefined, 2, [3]), null, '--dropout 0 is off');
});

const mm = (c: any, a: any, b: any) => matmulNaive<Float64Array>(c, a, b);

function params64(D: number, H: number, seed: number): LayerParams<Float64Array> {
  const rng = makeRng(seed, 'test-init');
  const W = new Float64Array(D * H).map(() => rng.normal() / Math.sqrt(D));
  const b = new Float64Array(H).map(() => 0.1 * rng.normal() + 0.1);
  return { D, H, W, b, dW: new Float64Array(D * H), db: new Float64Array(H), peerMean: new Float64Array(H).fill(0.5) };
}

function acts64(N: number, D: number, H: number): LayerActs<Float64Array> {
  return {
    xhat: new Float64Array(N * D), y: new Float64Array(N * H), G: new Float64Array(N), dLdG: new Float64Array(N), dZ: new Float64Array(N * H),
  };
}

// Forward, then the dropout mask drawn from a fresh stream of the same seed every time (a fixed
// mask), then the goodness of ỹ: what a training pass computes before its backward.
function forwardDropped(
  acts: LayerActs<Float64Array>, x: Float64Array, layer: LayerParams<Float64Array>, N: number, math: LayerMath, keep: Uint8Array,
): void {
  layerForward({ math, mm }, acts, x, layer, N);
  dropoutRows(acts.y, keep, N, layer.H, { p: math.dropout!, rng: makeRng(4, 'fd-mask') });
  goodnessRows(acts.G, acts.y, N, layer.H, math.goodness);
}

function checkDropoutGradient(goodness: Goodness, loss: 'ff' | 'symba', P: number): void {
  const N = 8, B = 4, D = 5, H = 6;
  const math: LayerMath = {
    norm: 'rms', goodness, threshold: goodness === 'sum' ? 2 : 0.3, peerNorm: 0, peerMomentum: 0.9, loss,
    symbaAlpha: goodness === 'sum' ? 0.5 : 4, dropout: P,
  };
  const rng = makeRng(7, 'test-x');
  const x = new Float64Array(N * D).map(() => rng.uniform());
  const layer = params64(D, H, 3);
  const keep = new Uint8Array(N * H);
  const objective = (): number => {
    const a = acts64(N, D, H);
    forwardDropped(a, x, layer, N, math, keep);
    return layerBackward({ math, mm }, a, { ...layer, dW: new Float64Array(D * H), db: new Float64Array(H) }, { N, P: B });
  };
  const acts = acts64(N, D, H);
  forwardDropped(acts, x, layer, N, math, keep);
  assert.ok(keep.includes(0) && keep.includes(1), 'the fixed mask drops some units and keeps others');
  layerBackward({ math, mm }, acts, layer, { N, P: B });
  for (let i = 0; i < N * H; i++) if (!keep[i]) assert.equal(acts.dZ[i]! + 0, 0, `dZ [${i}] of a dropped unit`);
  for (const [name, param, grad] of [['W', layer.W, layer.dW], ['b', layer.b, layer.db]] as const) {
    for (let i = 0; i < param.length; i++) {
      const fd = centralDifference(param, i, 1e-6, objective);
      const err = Math.abs(fd - grad[i]!) / Math.max(1e-8, Math.abs(fd) + Math.abs(grad[i]!));
      assert.ok(err < 1e-5 || Math.abs(fd - grad[i]!) < 1e-10, `${name}[${i}]: finite difference ${fd} vs backward ${grad[i]} (rel err ${err})`);
    }
  }
}

for (const goodness of ['sum', 'mean'] as const) {
  for (const loss of ['ff', 'symba'] as const) {
    for (const P of [0.25, 0.5]) {
      const name = `dropout backward matches finite differences with a fixed mask: ${goodness}, ${loss}, P = ${P}`;
      test(name, () => checkDropoutGradient(goodness, loss, P));
    }
  }
}

const data = loadDataset({ trainLimit: 60, testLimit: 20 });
const SMALL: Config = { ...DEFAULT_CONFIG, backend: 'js', layers: [784, 12, 8], batchSize: 6, dropout: 0.25, seed: 3 };

test('a training step drops each layer\'s units with one mask per row from the dropout stream, layer after layer; ' +
  'the next layer reads ỹ; the neutral pass and evaluation do not drop', () => {
  for (const mode of ['supervised', 'unsupervised', 'recurrent'] as const) {
    const cfg: Config = { ...SMALL, mode, ...(mode === 'recurrent' ? { iterations: 2, scoreIterations: [1, 2] as [number, number] } : {}) };
    const streams = makeStreams(cfg.seed);
    const trainer = makeTrainer(cfg, buildNetwork(cfg, 10), data, createJsMatmul(), streams);
    const replay = makeRng(cfg.seed, 'dropout');
    const order = Int32Array.from({ length: 60 }, (_, i) => i);
    let views = 0, prevY: Float32Array | null = null;
    const obs: StepObserver = {
      onLayer(l, phase, v) {
        if (phase !== 'forward') return;
        if (v.pass === 'neutral' || (mode === 'recurrent' && v.t === 0)) {
          assert.ok(!v.keep, `${mode}: the ${v.pass} pass at t = ${v.t} drops nothing`);
          return;
        }
        views++;
        const H = v.params.H, R = v.rows, k = v.keep!;
        assert.equal(R, 12);
        for (let i = 0; i < R * H; i++) {
          assert.equal(k[i], replay.uniform() >= cfg.dropout ? 1 : 0, `${mode} layer ${l + 1}: mask [${i}] is the stream's next draw`);
          if (!k[i]) assert.equal(v.acts.y[i], 0, `${mode} layer ${l + 1}: a dropped unit's ỹ`);
        }
        let ss = 0;
        for (let j = 0; j < H; j++) ss += v.acts.y[j]! ** 2;
        assert.ok(Math.abs(v.acts.G[0]! - ss) <= 1e-5 * ss + 1e-30, `${mode} layer ${l + 1}: G is the goodness of ỹ`);
        if (v.x && l > 0) assert.deepStrictEqual(v.x.subarray(0, R * v.params.D), prevY, `${mode} layer ${l + 1} reads ỹ of the layer below`);
        prevY = v.acts.y.slice(0, R * H);
      },
    };
    trainer.step({ split: data.train, order, start: 0, B: 6, lr: 0.001, headLr: 0.01, only: null }, obs);
    assert.equal(views, mode === 'recurrent' ? 2 * 2 : 2, `${mode}: every learning pass of every layer dropped`);
    assert.deepStrictEqual(streams.dropout.state(), replay.state(), `${mode}: the step drew nothing else from the dropout stream`);
    trainer.evaluate(data.test, 20);
    assert.deepStrictEqual(streams.dropout.state(), replay.state(), `${mode}: evaluation draws no mask`);
  }
});
