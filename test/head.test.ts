// Tests for src/ff/layer/head.ts, the linear softmax head.
// Tier A: zero parameters give exactly 1/C; saturated logits give exactly one-hot rows.
// Forward: rows sum to 1 and match softmax(feats·W + b) written out in float64 below.
// Tier B: headBackward's dW and db against central differences in float64, running the library's
// own headForward on Float64Array storage with matmulNaive (as test/layer.test.ts does); the
// returned loss against −mean log p of the true class; dLogits against (p − onehot)/N.
// N = rows, F = feature width, C = classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headBackward, headForward, makeHeadParams, type HeadParams } from '../src/ff/layer/head.ts';
import type { MatmulFn } from '../src/ff/layer/layer.ts';
import { matmulNaive } from '../src/linalg/matmul-naive.ts';
import { makeBlockedScratch, matmulBlocked } from '../src/linalg/matmul-blocked.ts';
import { makeRng } from '../src/rng.ts';
import { assertClose, centralDifference, U32 } from './helpers.ts';

const mm64: MatmulFn<Float64Array> = (c, a, b) => matmulNaive(c, a, b);
const mm32: MatmulFn<Float32Array> = (c, a, b) => matmulNaive(c, a, b);

/** A float64 head with seeded normal weights (standard deviation `w`) and biases (0.5). */
function head64(F: number, C: number, seed: number, w: number): HeadParams<Float64Array> {
  const rng = makeRng(seed, 'head-init');
  return {
    F, C,
    W: new Float64Array(F * C).map(() => w * rng.normal()),
    b: new Float64Array(C).map(() => 0.5 * rng.normal()),
    dW: new Float64Array(F * C).fill(7), // garbage: the backward must overwrite, not accumulate
    db: new Float64Array(C).fill(7),
  };
}

/** softmax(feats·W + b) computed directly from the definition, in float64. */
function softmaxReference(feats: ArrayLike<number>, head: HeadParams<Float32Array | Float64Array>, N: number): Float64Array {
  const { F, C } = head;
  const out = new Float64Array(N * C);
  for (let r = 0; r < N; r++) {
    const logits: number[] = [];
    for (let c = 0; c < C; c++) {
      let a = head.b[c]!;
      for (let f = 0; f < F; f++) a += feats[r * F + f]! * head.W[f * C + c]!;
      logits.push(a);
    }
    const max = Math.max(...logits);
    const e = logits.map((a) => Math.exp(a - max));
    const s = e.reduce((x, y) => x + y, 0);
    for (let c = 0; c < C; c++) out[r * C + c] = e[c]! / s;
  }
  return out;
}

test('zero weights and bias give exactly 1/C on every row (float32)', () => {
  const rng = makeRng(21, 'head-uniform');
  for (const [N, F, C] of [[4, 6, 10], [3, 5, 3], [1, 1, 1]] as const) {
    const head = makeHeadParams(F, C);
    const feats = new Float32Array(N * F).map(() => rng.normal());
    const probs = new Float32Array(N * C).fill(7);
    headForward(probs, feats, head, N, mm32);
    assert.deepStrictEqual(probs, new Float32Array(N * C).fill(1 / C), `N ${N}, F ${F}, C ${C}`);
  }
});

test('rows sum to 1 and match softmax(feats·W + b)', () => {
  const rng = makeRng(22, 'head-forward');
  const N = 7, F = 9, C = 10;
  const h64 = head64(F, C, 23, 1);
  const feats64 = new Float64Array(N * F).map(() => rng.normal());
  const probs64 = new Float64Array(N * C);
  headForward(probs64, feats64, h64, N, mm64);
  const want = softmaxReference(feats64, h64, N);
  assertClose(probs64, want, 1e-14, 'float64 probs vs reference');
  // float32 storage, against the same formula on the same float32 inputs: the logits a (|a| ≲ 30
  // here) are rounded to float32, moving them by |Δa| ≲ 2·U32·30; then p = e^{a − max}/Σ moves by
  // |Δp| ≲ p·2·|Δa| plus three float32 roundings of p. So |Δp| ≲ 123·U32·p; allow 1000·U32·p.
  const h32 = { ...makeHeadParams(F, C), W: Float32Array.from(h64.W), b: Float32Array.from(h64.b) };
  const feats32 = Float32Array.from(feats64);
  const probs32 = new Float32Array(N * C);
  headForward(probs32, feats32, h32, N, mm32);
  const want32 = softmaxReference(feats32, h32, N);
  assertClose(probs32, want32, (i) => 1e3 * U32 * want32[i]! + 1e-30, 'float32 probs vs reference');
  for (let r = 0; r < N; r++) {
    let s64 = 0, s32 = 0;
    for (let c = 0; c < C; c++) {
      s64 += probs64[r * C + c]!;
      s32 += probs32[r * C + c]!;
      assert.ok(probs32[r * C + c]! >= 0 && probs32[r * C + c]! <= 1, `p[${r}, ${c}] = ${probs32[r * C + c]}`);
    }
    assertClose([s64], [1], 16 * Number.EPSILON, `float64 row ${r} sum`);
    assertClose([s32], [1], 2 * C * U32, `float32 row ${r} sum`); // C roundings of ≤ p·U32, plus slack
  }
});

test('saturated logits: no overflow, exact one-hot; a shift of b changes nothing', () => {
  const head = makeHeadParams(2, 3);
  head.b.set([1000, 0, -1000]);
  const probs = new Float32Array(6);
  headForward(probs, Float32Array.from([0.5, -2, 1, 0.25]), head, 2, mm32);
  assert.deepStrictEqual(probs, Float32Array.from([1, 0, 0, 1, 0, 0]));
  // Softmax is invariant to adding a constant to every logit (the max subtraction is exact here).
  const h = head64(3, 4, 24, 1);
  const feats = Float64Array.from([1, -0.5, 0.25, 0, 2, -1]);
  const p0 = new Float64Array(8), p1 = new Float64Array(8);
  headForward(p0, feats, h, 2, mm64);
  const shifted = { ...h, b: h.b.map((v) => v + 500) };
  headForward(p1, feats, shifted, 2, mm64);
  assertClose(p1, p0, 1e-13, 'shifted by 500');
});

test('headBackward: loss = −mean log p of the true class, dLogits = (p − onehot)/N', () => {
  const rng = makeRng(25, 'head-loss');
  const N = 6, F = 5, C = 4;
  const head = head64(F, C, 26, 0.7);
  const feats = new Float64Array(N * F).map(() => rng.normal());
  const labels = Int32Array.from([0, 3, 2, 1, 3, 0]);
  const probs = new Float64Array(N * C);
  headForward(probs, feats, head, N, mm64);
  const dLogits = new Float64Array(N * C).fill(7);
  const loss = headBackward({ dLogits, probs, feats }, labels, head, N, mm64);
  let want = 0;
  for (let r = 0; r < N; r++) want -= Math.log(probs[r * C + labels[r]!]!) / N;
  assertClose([loss], [want], 1e-14, 'loss');
  const wantD = new Float64Array(N * C);
  for (let r = 0; r < N; r++) for (let c = 0; c < C; c++) wantD[r * C + c] = (probs[r * C + c]! - (c === labels[r] ? 1 : 0)) / N;
  assertClose(dLogits, wantD, 1e-16, 'dLogits');
  // Zero parameters: loss = log C exactly as a formula, whatever the labels.
  const zero = { ...makeHeadParams(F, C), W: new Float64Array(F * C), b: new Float64Array(C), dW: new Float64Array(F * C), db: new Float64Array(C) };
  headForward(probs, feats, zero, N, mm64);
  assertClose([headBackward({ dLogits, probs, feats }, Uint8Array.from(labels), zero, N, mm64)], [Math.log(C)], 1e-15, 'log C');
});

test('headBackward dW and db match central differences (float64)', () => {
  const rng = makeRng(27, 'head-fd');
  const N = 6, F = 5, C = 4;
  const head = head64(F, C, 28, 0.7);
  const feats = new Float64Array(N * F).map(() => rng.normal());
  const labels = Uint8Array.from([1, 0, 3, 2, 2, 1]);
  const probs = new Float64Array(N * C), dLogits = new Float64Array(N * C);
  headForward(probs, feats, head, N, mm64);
  headBackward({ dLogits, probs, feats }, labels, head, N, mm64);
  // The objective from its definition: L = −(1/N) Σ_r log p_{r, label_r}, p from headForward.
  const scratch = new Float64Array(N * C);
  const objective = (): number => {
    headForward(scratch, feats, head, N, mm64);
    let L = 0;
    for (let r = 0; r < N; r++) L -= Math.log(scratch[r * C + labels[r]!]!);
    return L / N;
  };
  for (const [name, param, grad] of [['W', head.W, head.dW], ['b', head.b, head.db]] as const) {
    const fd = new Float64Array(param.length);
    for (let i = 0; i < param.length; i++) fd[i] = centralDifference(param, i, 1e-6, objective);
    // central difference error ~ h²·L‴ + 2^-52·L/h ≈ 1e-10; gradients here are O(0.1)
    assertClose(grad, fd, (i) => 1e-8 + 1e-6 * Math.abs(fd[i]!), `d${name}`);
  }
});

test('float32 backward through matmulBlocked agrees with the float64 reference', () => {
  const rng = makeRng(29, 'head-f32');
  const N = 9, F = 33, C = 10;
  const h64 = head64(F, C, 30, 0.2);
  const feats64 = new Float64Array(N * F).map(() => rng.normal());
  const labels = Int32Array.from({ length: N }, (_, r) => (3 * r + 1) % C);
  const p64 = new Float64Array(N * C), d64 = new Float64Array(N * C);
  headForward(p64, feats64, h64, N, mm64);
  const loss64 = headBackward({ dLogits: d64, probs: p64, feats: feats64 }, labels, h64, N, mm64);

  const scratch = makeBlockedScratch();
  const blocked: MatmulFn<Float32Array> = (c, a, b) => matmulBlocked(c, a, b, scratch);
  const h32 = { ...makeHeadParams(F, C), W: Float32Array.from(h64.W), b: Float32Array.from(h64.b) };
  const feats32 = Float32Array.from(feats64);
  const p32 = new Float32Array(N * C), d32 = new Float32Array(N * C);
  headForward(p32, feats32, h32, N, blocked);
  const loss32 = headBackward({ dLogits: d32, probs: p32, feats: feats32 }, labels, h32, N, blocked);
  // Inputs rounded to float32 move the logits by ~F·U32·Σ|x·w| ≈ 1e-6: compare at 1e-4 relative.
  assertClose([loss32], [loss64], 1e-4 * loss64, 'loss');
  assertClose(h32.dW, h64.dW, 1e-5, 'dW');
  assertClose(h32.db, h64.db, 1e-6, 'db');
});
