// Recurrent FF (src/ff/modes/recurrent.ts): damping is exactly h ← d·h + (1 − d)·relu(z); the clamped
// label layer never changes; the layer's input is [norm(below) | norm(above)]; the gradient the
// optimizer gets is the mean over iterations of each iteration's layer gradient (neighbours'
// states as constants: no backpropagation through time); the trainer is deterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { normalizeRows } from '../src/ff/layer/definitions.ts';
import { layerBackward, layerForwardFromNormalised, makeLayerActs, type LayerMath } from '../src/ff/layer/layer.ts';
import { bottomUp, initRecurrentNetwork, iterate, makeState, setLabelLayer } from '../src/ff/modes/recurrent.ts';
import { contextOf } from '../src/ff/context.ts';
import { recurrentDiagnostics } from '../src/ff/modes/recurrent-diagnostics.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { makeRng } from '../src/rng.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { trainRun } from '../src/run/train-run.ts';
import { fnv1a } from '../src/io/checksum.ts';
import { assertClose } from './helpers.ts';

const math: LayerMath = { norm: 'rms', goodness: 'sum', threshold: null, peerNorm: 0, peerMomentum: 0.9 };
const C = 10, N = 6, D0 = 20;

function setup() {
  const net = initRecurrentNetwork([D0, 12, 8], C, [1, 2], makeRng(3, 'init'));
  const st = makeState(net, N, C);
  const rng = makeRng(3, 'x');
  for (let i = 0; i < N * D0; i++) st.imageHat[i] = rng.uniform();
  normalizeRows(st.imageHat, st.imageHat, N, D0, 'rms');
  const labels = Int32Array.from([0, 1, 2, 3, 4, 5]);
  setLabelLayer(st, labels, N, { C, strength: 1, neutral: 0.1 }, math);
  return { net, st, mm: createJsMatmul().matmul };
}

test('recurrent layers have D = width below + width above; the top layer reads the label layer', () => {
  const { net } = setup();
  assert.deepStrictEqual(net.layers.map((l) => [l.D, l.H]), [[D0 + 8, 12], [12 + C, 8]]);
});

test('the label layer is the normalised one-hot times the strength; neutral rows are uniform', () => {
  const net = initRecurrentNetwork([D0, 12, 8], C, [1, 2], makeRng(3, 'init'));
  const st = makeState(net, 2, C);
  // rms of a one-hot over C = 10 units is sqrt(1/10), so the normalised unit is sqrt(10) (to float32).
  setLabelLayer(st, Int32Array.from([3, 7]), 2, { C, strength: 1, neutral: 0.1 }, math);
  const one = st.labelHat[3]!;
  assertClose([one], [Math.sqrt(10)], 1e-6, 'normalised one-hot unit');
  setLabelLayer(st, Int32Array.from([3, 7]), 2, { C, strength: 4, neutral: 0.1 }, math);
  const expected = new Float32Array(2 * C);
  expected[3] = Math.fround(one * 4);
  expected[C + 7] = Math.fround(one * 4);
  assert.deepStrictEqual(st.labelHat, expected, 'strength 4 scales the normalised one-hot, which normalisation alone would erase');
  setLabelLayer(st, null, 2, { C, strength: 2, neutral: 0.1 }, math);
  for (const v of st.labelHat) assertClose([v], [2], 1e-6, 'neutral: rms-normalised uniform row (1 per unit) times 2');
});

test('the initial bottom-up pass: zeros above every layer but the top one, which reads the label', () => {
  const { net, st, mm } = setup();
  bottomUp(contextOf(mm, math), st, net, N);
  const x1 = st.acts[0]!.xhat, x2 = st.acts[1]!.xhat, D1 = D0 + 8, D2 = 12 + C;
  for (let r = 0; r < N; r++) {
    assert.deepStrictEqual(x1.subarray(r * D1, r * D1 + D0), st.imageHat.subarray(r * D0, r * D0 + D0), 'layer 1 reads the image');
    assert.ok(x1.subarray(r * D1 + D0, r * D1 + D1).every((v) => v === 0), 'layer 1 has no state above it yet');
    assert.deepStrictEqual(x2.subarray(r * D2, r * D2 + 12), st.hHat[0]!.subarray(r * 12, r * 12 + 12), 'layer 2 reads norm(h1(0))');
    assert.deepStrictEqual(x2.subarray(r * D2 + 12, r * D2 + D2), st.labelHat.subarray(r * C, r * C + C), 'the top layer reads the label');
  }
  for (let l = 0; l < 2; l++) {
    const H = net.layers[l]!.H;
    assert.deepStrictEqual(st.h[l]!.subarray(0, N * H), st.acts[l]!.y.subarray(0, N * H), `h${l + 1}(0) = relu(z)`);
  }
});

test('one iteration: input is [norm(below) | norm(above)], damping is exact, the label layer is untouched', () => {
  const { net, st, mm } = setup();
  bottomUp(contextOf(mm, math), st, net, N);
  const labelBefore = st.labelHat.slice();
  const h0 = st.h.map((h) => h.slice());
  const hHat0 = st.hHat.map((h) => h.slice());
  iterate(contextOf(mm, math), st, net, { N, damping: 0.3 });
  // Layer 2's input: [norm(h1(t−1)) | label].
  const x2 = st.acts[1]!.xhat;
  for (let r = 0; r < N; r++) {
    assert.deepStrictEqual(x2.subarray(r * 22, r * 22 + 12), hHat0[0]!.subarray(r * 12, r * 12 + 12));
    assert.deepStrictEqual(x2.subarray(r * 22 + 12, r * 22 + 22), labelBefore.subarray(r * C, r * C + C));
  }
  for (let l = 0; l < 2; l++) {
    const H = net.layers[l]!.H, y = st.acts[l]!.y;
    const expected = new Float32Array(N * H).map((_, i) => 0.3 * h0[l]![i]! + 0.7 * y[i]!);
    assert.deepStrictEqual(st.h[l]!.subarray(0, N * H), expected, `layer ${l + 1}: h = 0.3·h + 0.7·relu(z)`);
  }
  for (let t = 0; t < 5; t++) iterate(contextOf(mm, math), st, net, { N, damping: 0.3 });
  assert.deepStrictEqual(st.labelHat, labelBefore, 'the clamped label layer never changes');
});

test('the summed gradient is the sum of each iteration\'s layer gradient with the neighbours frozen', () => {
  const { net, st, mm } = setup();
  const P = N / 2;
  bottomUp(contextOf(mm, math), st, net, N);
  st.gW.forEach((g) => g.fill(0));
  st.gb.forEach((g) => g.fill(0));
  const T = 3;
  const expected = net.layers.map((l) => new Float64Array(l.W.length));
  for (let t = 0; t < T; t++) {
    // Recompute each layer's gradient from the inputs this iteration will see (states of t − 1).
    const xs = net.layers.map((l, i) => {
      const below = i === 0 ? st.imageHat : st.hHat[0]!;
      const above = i === 0 ? st.hHat[1]! : st.labelHat;
      const Db = i === 0 ? D0 : 12, Da = l.D - Db;
      const x = new Float32Array(N * l.D);
      for (let r = 0; r < N; r++) {
        x.set(below.subarray(r * Db, r * Db + Db), r * l.D);
        x.set(above.subarray(r * Da, r * Da + Da), r * l.D + Db);
      }
      return x;
    });
    net.layers.forEach((l, i) => {
      const acts = makeLayerActs(N, l.D, l.H);
      acts.xhat.set(xs[i]!);
      layerForwardFromNormalised({ math, mm }, acts, l, N);
      layerBackward({ math, mm }, acts, l, { N, P });
      l.dW.forEach((v, k) => (expected[i]![k]! += v));
    });
    iterate(contextOf(mm, math), st, net, { N, P, damping: 0.3, losses: [] });
  }
  net.layers.forEach((_, i) => assertClose(st.gW[i]!, expected[i]!, 1e-6, `layer ${i + 1} summed dW`));
  assert.ok(expected[0]!.some((v) => v !== 0), 'gradients are not all zero');
});

test('a short recurrent run is deterministic and its loss falls (golden values: test/golden.test.ts)', () => {
  const cfg: Config = {
    ...DEFAULT_CONFIG, mode: 'recurrent', backend: 'js', layers: [784, 24, 16], epochs: 1, batchSize: 50,
    trainLimit: 300, testLimit: 100, iterations: 4, scoreIterations: [2, 3], seed: 9, lr: 0.003, quiet: true,
  };
  const data = loadDataset({ trainLimit: 300, testLimit: 100 });
  const mm = createJsMatmul();
  const a = trainRun(cfg, data, mm);
  const b = trainRun(cfg, data, mm);
  const sum = (r: typeof a) => fnv1a(r.net.layers.flatMap((l) => [l.W, l.b]).concat([r.net.head.W, r.net.head.b]));
  assert.equal(sum(a), sum(b), 'same seed, same weights');
  assert.deepStrictEqual(a.test, b.test);
  assert.ok(a.firstLosses[5]! < a.firstLosses[0]!, `layer 1's loss falls: ${a.firstLosses.slice(0, 6).join(', ')}`);
});

test('by-iteration diagnostics: the scored error equals evaluate(); at t = 0 layer 1 cannot see the label', () => {
  const cfg: Config = {
    ...DEFAULT_CONFIG, mode: 'recurrent', backend: 'js', layers: [784, 24, 16], epochs: 1, batchSize: 50,
    trainLimit: 300, testLimit: 100, iterations: 4, scoreIterations: [2, 3], seed: 9, lr: 0.003, labelStrength: 15, quiet: true,
  };
  const data = loadDataset({ trainLimit: 300, testLimit: 100 });
  const mm = createJsMatmul();
  const run = trainRun(cfg, data, mm);
  const d = recurrentDiagnostics(cfg, run.net, data.classes, data.test, 100, mm.matmul);
  assert.equal(d.iterations.length, cfg.iterations + 1, 't = 0..T');
  assert.equal(d.scoredError, run.test.goodness, 'the same prediction as the trainer\'s goodness evaluation');
  const t0 = d.iterations[0]![0]!;
  assertClose([t0.goodTrue], [t0.goodWrong], 1e-9,
    'layer 1 sees the image and zeros at t = 0: the same goodness for every label (up to the order of the sums)');
  assert.ok(d.iterations[1]![0]!.goodTrue !== d.iterations[1]![0]!.goodWrong, 'from t = 1 the label reaches layer 1 through layer 2');
});
