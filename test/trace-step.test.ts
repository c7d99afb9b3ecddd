// Tests of the trace of step K (src/trace/: trace.ts, step-tracer.ts, schema.ts; schema in
// docs/TRACE.md) against the step itself, in every mode, at a step of the second epoch (Adam's bias
// correction and the smoothed SGD past their first step, a non-zero head, a reshuffled order).
// The trace equals what the trainer did, to the bit: its "before" and "after" weights, peer means
// and optimizer states are those of the run stopped after K − 1 and after K steps (trainSteps, no
// observer: so observing changes no bit either); its batch is the run's order; its draws (the
// wrong labels' uniforms, the masks and partners) leave the random streams where the run left them.
// Invariants recomputed from the JSON's own arrays: y = relu(z), G = s·Σy², dL/dG from p, dZ =
// dL/dG·2s·y + the peer term, dW = x̂ᵀ·dZ, the head's softmax and gradient, Adam's moments, the
// recurrent damping. Also: the evaluation's scores are evaluate()'s; with --shift, --dropout,
// --loss symba and --views 2 the trace shows the draws of their streams.
// Small: 784 → 16 → 8 (three layers in two cases), B = 4, 64 training images (16 steps an epoch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Config } from '../src/config/config.ts';
import { applyPreset } from '../src/config/presets.ts';
import { makeHybridBatch } from '../src/ff/inputs/masks.ts';
import { drawWrongLabels } from '../src/ff/inputs/negatives.ts';
import { MASK_BLURS } from '../src/ff/modes/unsupervised.ts';
import { shiftImage } from '../src/ff/inputs/shift.ts';
import { drawPairPartners, positiveNegativePairRows } from '../src/ff/inputs/pairs.ts';
import type { LayerPassTrace, OptimizerState, ParamsTrace, Tensor, Trace } from '../src/trace/schema.ts';
import { traceRun, traceToJson } from '../src/trace/trace.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import type { OptimizerState as RunOptimizerState } from '../src/optim/optimizer.ts';
import { makeRng } from '../src/rng.ts';
import { makeTrainer, trainSteps, type RunState } from '../src/run/train-run.ts';
import { assertClose, U32 } from './helpers.ts';
import { data, SMALL } from './trace-helpers.ts';

const K = 18; // the second step of the second epoch
const EVAL = 3;

/** Every mode, and the options that change the step's arithmetic. */
const CASES: [string, Config][] = [
  ['supervised: adam, hard negatives, rms, sum', SMALL],
  ['supervised: sgd, random negatives, l2, mean, peer norm, 3 layers, skip-first', {
    ...SMALL, layers: [784, 12, 10, 6], optimizer: 'sgd', lr: 0.01, headLr: 0.1, negatives: 'random', norm: 'l2',
    goodness: 'mean', peerNorm: 0.03, scoredLayers: 'skip-first', labelStrength: 0.5, seed: 7,
  }],
  ['supervised greedy, second phase (layer 1 runs, layer 2 learns)', { ...SMALL, greedy: true, epochs: 1, seed: 3 }],
  ['unsupervised: hybrids, peer norm, 3 layers', { ...applyPreset({ ...SMALL }, 'unsupervised'), layers: [784, 16, 8, 8], peerNorm: 0.03, seed: 5 }],
  ['unsupervised: Self-Contrastive FF pairs, std, mean, θ⁻, triangle', {
    ...applyPreset({ ...SMALL }, 'unsupervised'), layers: [784, 16, 8], contrast: 'scff', norm: 'std', goodness: 'mean', threshold: 4,
    thresholdNeg: 6, act: 'triangle', scoredLayers: 'all', lr: 0.003, seed: 6,
  }],
  ['unsupervised: Self-Contrastive FF, two shifted views of each image', {
    ...applyPreset({ ...SMALL }, 'scff'), layers: [784, 16, 8], batchSize: 4, epochs: 2, shift: 2, views: 2, seed: 8,
  }],
  ['recurrent: 4 iterations, sgd, peer norm', {
    ...applyPreset({ ...SMALL }, 'recurrent'), layers: [784, 16, 8], iterations: 4, scoreIterations: [2, 3], optimizer: 'sgd', lr: 0.01,
    peerNorm: 0.03, seed: 9,
  }],
];

const f32 = (t: Tensor): Float32Array => Float32Array.from(t.data);

/** Bit equality of float32 arrays (−0 and 0 alike: the JSON writes −0 as 0), with the first difference. */
function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Object.is(actual[i], expected[i]) || (actual[i] === 0 && expected[i] === 0))) {
      assert.fail(`${what}: first difference at [${i}]: ${actual[i]} vs ${expected[i]}`);
    }
  }
}

function assertParams(p: ParamsTrace, W: Float32Array, b: Float32Array, peerMean: Float32Array | null, what: string): void {
  assertSameBits(f32(p.W), W, `${what} W`);
  assertSameBits(f32(p.b), b, `${what} b`);
  if (peerMean) assertSameBits(f32(p.peerMean!), peerMean, `${what} peerMean`);
}

function assertOptimizer(o: OptimizerState, s: RunOptimizerState, what: string): void {
  const tensors = o.kind === 'adam' ? [o.m, o.v] : [o.smoothed];
  const expected = (o.kind === 'adam' ? [s.m, s.v] : [s.smoothed]) as Float32Array[][];
  if (o.kind === 'adam') assert.equal(o.t, s.t, `${what} t`);
  tensors.forEach((p, i) => assertParams(p, expected[i]![0]!, expected[i]![1]!, null, `${what} state ${i}`));
}

/** The trace as a reader sees it: the JSON text parsed back. */
const parsed = (cfg: Config, step = K, evalImages = EVAL): Trace => JSON.parse(traceToJson(traceRun(cfg, data, { step, evalImages }))) as Trace;

/** The run without an observer, stopped after `steps` steps. */
const runTo = (cfg: Config, steps: number): RunState => trainSteps(cfg, data, createJsMatmul(), steps);

for (const [name, cfg] of CASES) {
  test(`step ${K} traced equals the trainer's step ${K}, to the bit: ${name}`, () => {
    const t = parsed(cfg);
    const before = runTo(cfg, K - 1), after = runTo(cfg, K);
    const B = cfg.batchSize, C = t.dataset.classes, s = (K - 1) % 16;
    assert.deepEqual(t.step.trainedLayers, cfg.greedy ? [2] : cfg.layers.slice(1).map((_, i) => i + 1));
    assert.equal(t.layers.length, cfg.greedy ? 2 : cfg.layers.length - 1, 'layers the step ran');
    for (const l of t.layers) {
      const i = l.layer - 1, n0 = before.net.layers[i]!, n1 = after.net.layers[i]!;
      assertParams(l.before, n0.W, n0.b, n0.peerMean, `layer ${l.layer} before`);
      assertParams(l.after, n1.W, n1.b, n1.peerMean, `layer ${l.layer} after`);
      if (!l.optimizer) continue;
      assertOptimizer(l.optimizer.before, before.optimizers.layers[i]!, `layer ${l.layer} optimizer before`);
      assertOptimizer(l.optimizer.after, after.optimizers.layers[i]!, `layer ${l.layer} optimizer after`);
    }
    assertParams(t.head.before, before.net.head.W, before.net.head.b, null, 'head before');
    assertParams(t.head.after, after.net.head.W, after.net.head.b, null, 'head after');
    assertOptimizer(t.head.optimizer.after, after.optimizers.head, 'head optimizer after');

    // The draws: the batch is the run's order; each stream, from where step K − 1 left it, drawn as
    // the trace says, ends where step K left it.
    assert.deepEqual(t.batch.indices, Array.from(after.order.subarray(s * B, (s + 1) * B)));
    assert.deepEqual(t.batch.labels, t.batch.indices.map((i) => data.train.labels[i]!));
    if (cfg.mode === 'unsupervised' && cfg.contrast === 'scff') {
      // The pairs: the offset from the stream, and layer 1's x̂ from the batch's images as pairs.ts makes it.
      const rng = makeRng(cfg.seed, 'masks', before.streams.masks), partners = new Int32Array(B);
      const k = drawPairPartners(partners, B, rng);
      assert.deepEqual(t.pairs, { k, partners: Array.from(partners) });
      assert.deepEqual(rng.state(), after.streams.masks, 'the masks stream after the step');
      const P = t.dataset.rows * t.dataset.cols, xhat = new Float32Array(2 * B * P), scratch = new Float32Array(2 * P);
      const left = f32(t.shift?.images ?? t.batch.images), right = t.shift?.view2 ? f32(t.shift.view2.images) : left; // --views 2: the second views
      const self = Int32Array.from({ length: B }, (_, i) => i);
      positiveNegativePairRows(xhat, { a: left, b: right, self, partners, scratch }, B, P, cfg.norm);
      assertSameBits(both(t.layers[0] as LayerPassTrace, 'xhat'), xhat, 'layer 1 x̂ = the pairs');
    } else if (cfg.mode === 'unsupervised') {
      const rng = makeRng(cfg.seed, 'masks', before.streams.masks);
      const P = t.dataset.rows * t.dataset.cols, hybrids = new Float32Array(B * P), masks = new Float32Array(B * P), partners = new Int32Array(B);
      makeHybridBatch(hybrids, masks, new Float32Array(P), f32(t.batch.images), B, t.dataset.rows, t.dataset.cols, MASK_BLURS, rng, partners);
      assertSameBits(f32(t.hybrids!.masks), masks, 'masks');
      assert.deepEqual(t.hybrids!.partners, Array.from(partners));
      assertSameBits(f32(t.ff.input).subarray(B * P), hybrids, 'negative rows = the hybrids');
      assert.deepEqual(rng.state(), after.streams.masks, 'the masks stream after the step');
    } else {
      const rng = makeRng(cfg.seed, 'negatives', before.streams.negatives), wrong = new Int32Array(B), u = new Float64Array(B);
      drawWrongLabels(cfg.negatives, wrong, Int32Array.from(t.batch.labels), f32(t.head.probs), B, C, rng, u);
      assert.deepEqual(t.negatives!.u, Array.from(u), 'the uniforms');
      assert.deepEqual(t.negatives!.wrong, Array.from(wrong), 'the wrong labels follow from the uniforms and head.probs');
      assert.deepEqual(rng.state(), after.streams.negatives, 'the negatives stream after the step');
      t.negatives!.wrong.forEach((w, r) => assert.notEqual(w, t.batch.labels[r], `row ${r}: the wrong label is the true one`));
    }

    // The evaluation after step K: evaluate()'s own scores on the trained network.
    const e = t.evaluation!, trainer = makeTrainer(cfg, after.net, data, createJsMatmul());
    const scores: number[] = [], probs: number[] = [];
    const errors = trainer.evaluate(data.test, EVAL, undefined, {
      labelScores: (_s, n, sc) => scores.push(...sc.subarray(0, n * C)),
      headProbs: (_s, n, p) => probs.push(...p.subarray(0, n * C)),
    });
    assert.deepEqual(e.errors, errors);
    if (cfg.mode === 'unsupervised') assert.equal(e.scores, undefined);
    else assertSameBits(f32(e.scores!), scores, 'evaluation scores');
    assertSameBits(f32(e.probs!), probs, 'evaluation probs');
  });

  test(`invariants recomputed from the JSON's own arrays: ${name}`, () => {
    const t = parsed(cfg, K, 0);
    const B = cfg.batchSize, C = t.dataset.classes, R = 2 * B;
    for (const l of t.layers) {
      const { D, H } = l, what = `layer ${l.layer}`;
      const passes: LayerPassTrace[] = l.iterations ?? [l as LayerPassTrace];
      for (const pass of passes) {
        checkLayerPass(pass, D, H, l.theta, l.thetaNeg, l.goodnessScale, B, `${what}${pass.t === undefined ? '' : ` t=${pass.t}`}`);
      }
      if (!l.optimizer) continue;
      const g = l.optimizer.grads;
      if (l.iterations) {
        // The applied gradient is the mean over iterations 1..T of each iteration's gradient.
        const its = l.iterations.slice(1), T = its.length;
        for (const key of ['dW', 'db'] as const) {
          const mean = g[key].data.map((_, i) => its.reduce((a, it) => a + it.grads![key].data[i]!, 0) / T);
          const abs = g[key].data.map((_, i) => its.reduce((a, it) => a + Math.abs(it.grads![key].data[i]!), 0) / T);
          assertClose(g[key].data, mean, (i) => (T + 1) * U32 * abs[i]! + 1e-30, `${what} ${key} = mean over t`);
        }
      } else {
        checkProduct(g.dW.data, both(l as LayerPassTrace, 'xhat'), both(l as LayerPassTrace, 'dZ'), R, D, H, `${what} dW = x̂ᵀ·dZ`);
      }
      const o = l.optimizer;
      assert.equal(o.lr, t.step.lr);
      if (o.before.kind === 'adam' && o.after.kind === 'adam') {
        assert.equal(o.after.t, o.before.t + 1);
        const m0 = f32(o.before.m.W), gW = f32(g.dW), beta1 = 0.9;
        assertSameBits(f32(o.after.m.W), m0.map((m, i) => beta1 * m + (1 - beta1) * gW[i]!), `${what} m ← β1·m + (1 − β1)·g`);
      }
    }
    // Feed-forward modes: layer l + 1's input rows are layer l's y, or with the triangle activity relu(z − mean_j z).
    for (let i = 1; i < t.layers.length && !t.layers[0]!.iterations; i++) {
      const below = t.layers[i - 1] as LayerPassTrace, Hb = below.positive.z.shape[1]!;
      const passedUp = cfg.act === 'triangle'
        ? both(below, 'z').map((_, idx, z) => {
          const r0 = idx - (idx % Hb);
          let sum = 0;
          for (let j = 0; j < Hb; j++) sum += z[r0 + j]!;
          return Math.max(0, Math.fround(z[idx]! - sum / Hb));
        })
        : both(below, 'y');
      assertClose(both(t.layers[i] as LayerPassTrace, 'input'), passedUp, cfg.act === 'triangle' ? 1e-5 : 0,
        `layer ${i + 1} input = what layer ${i} passes up`);
    }
    if (cfg.mode === 'supervised') {
      // Positives and negatives differ only in the label pixels 0..C-1: true label vs wrong label.
      const D0 = t.layers[0]!.D, input = t.ff.input.data, images = t.batch.images.data, s = Math.fround(cfg.labelStrength);
      for (let r = 0; r < B; r++) {
        for (let j = 0; j < D0; j++) {
          const pos = input[r * D0 + j], neg = input[(B + r) * D0 + j];
          if (j >= C) assert.ok(pos === images[r * D0 + j] && neg === pos, `row ${r} pixel ${j}: not the image`);
          else assert.ok(pos === (j === t.batch.labels[r] ? s : 0) && neg === (j === t.negatives!.wrong[r] ? s : 0), `row ${r} label pixel ${j}`);
        }
      }
    }
    if (cfg.mode === 'recurrent') {
      // h(0) = y(0); h(t) = d·h(t − 1) + (1 − d)·y(t), rounded once to float32.
      const its = t.ff.iterations!;
      assert.equal(its.length, cfg.iterations + 1);
      for (const it of its) {
        it.states.forEach((h, li) => {
          const y = both(t.layers[li]!.iterations![it.t]!, 'y');
          const prev = it.t === 0 ? null : f32(its[it.t - 1]!.states[li]!);
          const expected = y.map((v, i) => (prev === null ? v : Math.fround(it.damping * prev[i]! + (1 - it.damping) * v)));
          assertSameBits(f32(h), expected, `layer ${li + 1} state at t=${it.t}`);
        });
      }
    }
    // The head: probs = softmax(logits), dLogits = (probs − onehot(label))/B, loss = mean row loss, dW = featuresᵀ·dLogits.
    const h = t.head, F = h.features.shape[1]!;
    for (let r = 0; r < B; r++) {
      const a = h.logits.data.slice(r * C, (r + 1) * C), max = Math.max(...a);
      const e = a.map((v) => Math.exp(v - max)), sum = e.reduce((x, y) => x + y, 0);
      assertClose(h.probs.data.slice(r * C, (r + 1) * C), e.map((v) => v / sum), 8 * U32, `head probs row ${r}`);
      assertClose(h.dLogits.data.slice(r * C, (r + 1) * C),
        h.probs.data.slice(r * C, (r + 1) * C).map((p, c) => (p - (c === t.batch.labels[r] ? 1 : 0)) / B), 2 * U32, `head dLogits row ${r}`);
    }
    assertClose([h.loss], [h.rowLoss.data.reduce((a, b) => a + b, 0) / B], 1e-12, 'head loss = mean row loss');
    checkProduct(h.optimizer.grads.dW.data, h.features.data, h.dLogits.data, B, F, C, 'head dW = featuresᵀ·dLogits');
  });
}

/** Positive rows on top of negative rows: the (2B, ·) arrays the layer saw (float32 ones as their exact float32 values). */
function both(l: LayerPassTrace, key: 'input' | 'xhat' | 'z' | 'y' | 'keep' | 'G' | 'p' | 'loss' | 'dLdG' | 'dZ'): number[] {
  const all = [...l.positive[key]!.data, ...l.negative[key]!.data];
  return key === 'p' || key === 'loss' || key === 'keep' ? all : all.map(Math.fround);
}

/** c (D, H) = aᵀ·b for a (R, D), b (R, H), in float64, within float32 rounding of the sums. */
function checkProduct(c: number[], a: number[], b: number[], R: number, D: number, H: number, what: string): void {
  const exact = new Float64Array(D * H), abs = new Float64Array(D * H);
  for (let r = 0; r < R; r++) {
    for (let d = 0; d < D; d++) {
      for (let j = 0; j < H; j++) {
        exact[d * H + j]! += a[r * D + d]! * b[r * H + j]!;
        abs[d * H + j]! += Math.abs(a[r * D + d]! * b[r * H + j]!);
      }
    }
  }
  assertClose(c, exact, (i) => (R + 2) * U32 * abs[i]! + 1e-30, what);
}

// One layer's pass: y = relu(z), G = s·Σy², p ∈ (0, 1); and where it learned: dL/dG from p, the
// loss the mean of the row losses, dZ = dL/dG·2s·y (+ the peer term on positive rows).
function checkLayerPass(l: LayerPassTrace, D: number, H: number, theta: number, thetaNeg: number, s: number, B: number, what: string): void {
  const R = 2 * B, z = both(l, 'z'), y = both(l, 'y'), G = both(l, 'G'), p = both(l, 'p');
  assert.equal(l.positive.xhat.shape[1], D);
  assert.deepEqual(y.map((v) => v + 0), z.map((v) => (v > 0 ? v : 0)), `${what} y = relu(z)`);
  for (let r = 0; r < R; r++) {
    let ss = 0;
    for (let j = 0; j < H; j++) ss += y[r * H + j]! ** 2;
    assertClose([G[r]!], [ss * s], 4 * H * U32 * ss * s + 1e-30, `${what} G row ${r}`);
    assert.ok(p[r]! > 0 && p[r]! < 1, `${what} p row ${r} = ${p[r]} is not in (0, 1)`);
    assertClose([p[r]!], [1 / (1 + Math.exp((r < B ? theta : thetaNeg) - G[r]!))], 1e-12,
      `${what} p = σ(G − θ) row ${r} (θ⁻ on negative rows)`);
  }
  if (l.loss === undefined) return;
  const dLdG = both(l, 'dLdG'), dZ = both(l, 'dZ'), rowLoss = both(l, 'loss');
  for (let r = 0; r < R; r++) {
    const expected = (r < B ? -(1 - p[r]!) : p[r]!) / R;
    assertClose([dLdG[r]!], [expected], 2 * U32 * Math.abs(expected) + 1e-12 / R, `${what} dL/dG row ${r}`);
    const peer = l.peer && r < B ? l.peer.data : null;
    const want = y.slice(r * H, (r + 1) * H).map((v, j) => dLdG[r]! * 2 * s * v + (peer ? peer[j]! : 0));
    assertClose(dZ.slice(r * H, (r + 1) * H), want, (j) => 4 * U32 * (Math.abs(want[j]!) + (peer ? Math.abs(peer[j]!) : 0)) + 1e-45,
      `${what} dZ row ${r}`);
  }
  assertClose([l.loss], [rowLoss.reduce((a, b) => a + b, 0) / R], 1e-12, `${what} loss = mean of the row losses`);
}

test('with --shift, --dropout and --loss symba the trace shows the shifts and masks (replayed from their streams), ỹ and the pair losses', () => {
  const P = 0.25, alpha = 0.5;
  for (const mode of ['supervised', 'recurrent'] as const) {
    const base = mode === 'recurrent'
      ? { ...applyPreset({ ...SMALL }, 'recurrent'), layers: [784, 16, 8], iterations: 2, scoreIterations: [1, 2] as [number, number] }
      : SMALL;
    const cfg: Config = { ...base, shift: 2, dropout: P, loss: 'symba', symbaAlpha: alpha, seed: 4 };
    const t = parsed(cfg, K, 0);
    const before = runTo(cfg, K - 1), after = runTo(cfg, K);
    const B = cfg.batchSize, C = t.dataset.classes, D0 = 784;
    for (const l of t.layers) {
      assertParams(l.after, after.net.layers[l.layer - 1]!.W, after.net.layers[l.layer - 1]!.b, null, `${mode} layer ${l.layer} after`);
    }
    // Shifts: drawn from the shift stream as the run drew them, applied to the batch's images.
    const sh = makeRng(cfg.seed, 'shift', before.streams.shift);
    const shifted = new Float32Array(B * D0);
    for (let r = 0; r < B; r++) {
      assert.deepEqual([t.shift!.dx[r], t.shift!.dy[r]], [sh.int(5) - 2, sh.int(5) - 2], `${mode} image ${r}: the draws`);
      shiftImage(shifted.subarray(r * D0), f32(t.batch.images).subarray(r * D0), { rows: 28, cols: 28 }, t.shift!.dx[r]!, t.shift!.dy[r]!);
    }
    assert.deepEqual(sh.state(), after.streams.shift, `${mode}: the shift stream after the step`);
    assertSameBits(f32(t.shift!.images), shifted, `${mode}: shift.images`);
    if (mode === 'supervised') {
      const input = f32(t.ff.input);
      for (let r = 0; r < B; r++) {
        for (let j = C; j < D0; j++) assert.equal(input[r * D0 + j], shifted[r * D0 + j], `ff row ${r} pixel ${j}: the shifted image`);
      }
    }
    // Masks: the dropout stream's draws, layer after layer (recurrent: iteration after iteration);
    // ỹ = relu(z)·keep/(1 − P); the pair losses and their gradient.
    const dr = makeRng(cfg.seed, 'dropout', before.streams.dropout);
    const passes = mode === 'recurrent'
      ? t.layers[0]!.iterations!.slice(1).flatMap((_, i) => t.layers.map((l) => ({ l, pass: l.iterations![i + 1]! })))
      : t.layers.map((l) => ({ l, pass: l as LayerPassTrace }));
    for (const { l, pass } of passes) {
      const what = `${mode} layer ${l.layer}${pass.t === undefined ? '' : ` t=${pass.t}`}`;
      const keep = both(pass, 'keep'), z = both(pass, 'z'), y = both(pass, 'y');
      const G = both(pass, 'G'), dLdG = both(pass, 'dLdG'), dZ = both(pass, 'dZ');
      keep.forEach((k, i) => assert.equal(k, dr.uniform() >= P ? 1 : 0, `${what}: mask [${i}]`));
      assertSameBits(y, z.map((v, i) => (keep[i] ? Math.fround(Math.max(v, 0) * (1 / (1 - P))) : 0)), `${what}: ỹ = relu(z)·keep/(1 − P)`);
      const pairLoss = pass.positive.loss!.data;
      assert.equal(pass.negative.loss, undefined, `${what}: the pair loss sits on the positive side`);
      for (let r = 0; r < B; r++) {
        const u = alpha * (G[B + r]! - G[r]!), g = alpha / (1 + Math.exp(-u)) / B;
        assertClose([pairLoss[r]!], [Math.log1p(Math.exp(u))], 1e-12, `${what}: pair ${r} loss`);
        assertClose([dLdG[r]!, dLdG[B + r]!], [-g, g], 2 * U32 * g + 1e-44, `${what}: pair ${r} dL/dG (float32; an underflow is 0)`);
      }
      assertClose([pass.loss!], [pairLoss.reduce((a, b) => a + b, 0) / B], 1e-12, `${what}: loss = mean pair loss`);
      const H = l.H, sc = (2 * l.goodnessScale) / (1 - P);
      assertClose(dZ, y.map((v, i) => dLdG[Math.floor(i / H)]! * sc * v), (i) => 4 * U32 * Math.abs(dZ[i]!) + 1e-45,
        `${what}: dZ = dLdG·2s·ỹ/(1 − P)`);
    }
    assert.deepEqual(dr.state(), after.streams.dropout, `${mode}: the dropout stream after the step`);
  }
});

test('with --views 2 the second views are the batch shifted by their own draws, after the first views', () => {
  const cfg: Config = { ...applyPreset({ ...SMALL }, 'scff'), layers: [784, 16, 8], batchSize: 4, epochs: 2, shift: 1, views: 2, seed: 10 };
  const t = parsed(cfg, K, 0);
  const before = runTo(cfg, K - 1), after = runTo(cfg, K);
  const B = cfg.batchSize, D0 = 784, sh = makeRng(cfg.seed, 'shift', before.streams.shift);
  for (const [view, s] of [[1, t.shift!], [2, t.shift!.view2!]] as const) {
    const shifted = new Float32Array(B * D0);
    for (let r = 0; r < B; r++) {
      assert.deepEqual([s.dx[r], s.dy[r]], [sh.int(3) - 1, sh.int(3) - 1], `view ${view}, image ${r}: the draws`);
      shiftImage(shifted.subarray(r * D0), f32(t.batch.images).subarray(r * D0), { rows: 28, cols: 28 }, s.dx[r]!, s.dy[r]!);
    }
    assertSameBits(f32(s.images), shifted, `view ${view}: the shifted images`);
  }
  assert.deepEqual(sh.state(), after.streams.shift, 'the shift stream after the step');
  const differ = t.shift!.dx.some((dx, r) => dx !== t.shift!.view2!.dx[r] || t.shift!.dy[r] !== t.shift!.view2!.dy[r]);
  assert.ok(differ, 'the two views of some image were shifted differently');
  // The negatives' partner images an observer sees (ff.input rows B..2B-1) are the partners' second views.
  const input = f32(t.ff.input), view2 = f32(t.shift!.view2!.images);
  for (let r = 0; r < B; r++) {
    const p = t.pairs!.partners[r]!;
    assertSameBits(input.subarray((B + r) * D0, (B + r + 1) * D0), view2.subarray(p * D0, (p + 1) * D0), `negative ${r}: partner ${p}'s second view`);
  }
});
