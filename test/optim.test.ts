// Tests for src/optim: Adam's first two steps against arithmetic done by hand (written out below),
// Hinton's smoothed SGD exactly on dyadic values, weight cost only where enabled, state save and
// restore, argument checks, and the learning-rate schedules at start, middle and end.
// Exact tests (Tier A) compare with deepStrictEqual; Adam, whose constants are not dyadic, is
// compared within a few float32 ulps and prints the differing values on failure.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, adamUpdateInPlace, DEFAULT_ADAM } from '../src/optim/adam.ts';
import { HINTON_SGD, SmoothedSgd } from '../src/optim/smoothed-sgd.ts';
import { lrAt } from '../src/optim/schedule.ts';
import type { Optimizer } from '../src/optim/optimizer.ts';

/** Relative tolerance of the Adam checks: 4 float32 ulps at 1 (2^-21 ≈ 4.8e-7). */
const F32_TOL = 2 ** -21;

/** Assert |actual − expected| <= tol·max(1, |expected|) everywhere; print the differences if not. */
function assertClose(actual: Float32Array, expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let maxDiff = 0;
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    maxDiff = Math.max(maxDiff, diff);
    if (!(diff <= tol * Math.max(1, Math.abs(expected[i]!)))) bad.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
  }
  assert.ok(bad.length === 0, `${what}: max diff ${maxDiff}; first differing (actual vs expected): ${bad.slice(0, 4).join(', ')}`);
}

describe('Adam', () => {
  // lr 0.1, β1 0.9, β2 0.999, ε 1e-8 (the defaults), on p = [1, -2, 0.5, 0].
  const lr = 0.1;
  const g1 = Float32Array.from([0.5, -0.25, 0, 2]);
  const g2 = Float32Array.from([0.5, 0.25, 1, -2]);

  // Step 1 (t = 1): 1 − β1 = 0.1, 1 − β2 = 0.001, so m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g²,
  // and the step is lr·g/(|g| + ε): a step of ~lr against the sign of g, 0 where g = 0.
  //   p0:  1    − 0.1·0.5 /(0.5  + 1e-8) = 1    − 0.099999998 = 0.900000002
  //   p1: −2    + 0.1·0.25/(0.25 + 1e-8) = −2   + 0.099999996 = −1.900000004
  //   p2:  0.5  − 0 (m = 0, v = 0: 0/(0 + ε) = 0)              = 0.5
  //   p3:  0    − 0.1·2   /(2    + 1e-8) =      − 0.0999999995 = −0.0999999995
  const afterStep1 = [0.900000002, -1.900000004, 0.5, -0.0999999995];
  const m1 = [0.05, -0.025, 0, 0.2];
  const v1 = [0.00025, 0.0000625, 0, 0.004];

  // Step 2 (t = 2): 1 − β1² = 0.19, 1 − β2² = 0.001999.
  //   p0: g = 0.5:  m = 0.9·0.05 + 0.1·0.5 = 0.095,         m̂ = 0.095/0.19 = 0.5
  //                 v = 0.999·0.00025 + 0.001·0.25 = 0.00049975, v̂ = 0.00049975/0.001999 = 0.25
  //                 step = 0.1·0.5/(0.5 + 1e-8) = 0.099999998;  p = 0.900000002 − 0.099999998 = 0.800000004
  //   p1: g = 0.25: m = 0.9·(−0.025) + 0.1·0.25 = 0.0025,     m̂ = 0.0025/0.19 = 1/76
  //                 v = 0.999·0.0000625 + 0.001·0.0625 = 0.0001249375, v̂ = 0.0625, sqrt = 0.25
  //                 step = 0.1·(1/76)/0.25 = 0.4/76 = 0.0052631579; p = −1.900000004 − 0.0052631579 = −1.9052631619
  //   p2: g = 1:    m = 0 + 0.1·1 = 0.1,                        m̂ = 0.1/0.19 = 0.5263157895
  //                 v = 0 + 0.001·1 = 0.001,                    v̂ = 0.001/0.001999 = 0.5002501251, sqrt = 0.7072836242
  //                 step = 0.1·0.5263157895/0.7072836242 = 0.0744136824; p = 0.5 − 0.0744136824 = 0.4255863176
  //   p3: g = −2:   m = 0.9·0.2 + 0.1·(−2) = −0.02,             m̂ = −0.02/0.19 = −2/19
  //                 v = 0.999·0.004 + 0.001·4 = 0.007996,       v̂ = 0.007996/0.001999 = 4, sqrt = 2
  //                 step = 0.1·(−2/19)/2 = −0.0052631579;       p = −0.0999999995 + 0.0052631579 = −0.0947368416
  const afterStep2 = [0.800000004, -1.9052631619, 0.4255863176, -0.0947368416];
  const m2 = [0.095, 0.0025, 0.1, -0.02];
  const v2 = [0.00049975, 0.0001249375, 0.001, 0.007996];

  test('first two steps match the hand computation', () => {
    const p = Float32Array.from([1, -2, 0.5, 0]);
    const adam = new Adam(DEFAULT_ADAM, [4]);
    adam.step([p], [g1], lr);
    assertClose(p, afterStep1, F32_TOL, 'params after step 1');
    const s1 = adam.state();
    assert.equal(s1.t, 1);
    assertClose(s1.m[0]!, m1, F32_TOL, 'm after step 1');
    assertClose(s1.v[0]!, v1, F32_TOL, 'v after step 1');

    adam.step([p], [g2], lr);
    assertClose(p, afterStep2, F32_TOL, 'params after step 2');
    const s2 = adam.state();
    assert.equal(s2.t, 2);
    assertClose(s2.m[0]!, m2, F32_TOL, 'm after step 2');
    assertClose(s2.v[0]!, v2, F32_TOL, 'v after step 2');
  });

  test('the class is the kernel applied per tensor with t counted from 1', () => {
    // Two tensors through the class; the same values through the kernel by hand.
    const pa = Float32Array.from([1, -2]);
    const pb = Float32Array.from([0.5, 0]);
    const adam = new Adam(DEFAULT_ADAM, [2, 2]);
    const qa = Float32Array.from(pa);
    const qb = Float32Array.from(pb);
    const [ma, va, mb, vb] = [new Float32Array(2), new Float32Array(2), new Float32Array(2), new Float32Array(2)];
    for (const [t, g] of [[1, g1], [2, g2]] as const) {
      adam.step([pa, pb], [g.subarray(0, 2), g.subarray(2, 4)], lr);
      adamUpdateInPlace(qa, ma, va, g.subarray(0, 2), t, lr, DEFAULT_ADAM);
      adamUpdateInPlace(qb, mb, vb, g.subarray(2, 4), t, lr, DEFAULT_ADAM);
    }
    assert.deepStrictEqual(pa, qa);
    assert.deepStrictEqual(pb, qb);
  });

  test('restoring a saved state continues exactly as an uninterrupted run', () => {
    const gs = [g1, g2, Float32Array.from([-1, 0.75, 0.125, 3])];
    const straight = Float32Array.from([1, -2, 0.5, 0]);
    const a = new Adam(DEFAULT_ADAM, [4]);
    for (const g of gs) a.step([straight], [g], lr);

    const resumed = Float32Array.from([1, -2, 0.5, 0]);
    const b = new Adam(DEFAULT_ADAM, [4]);
    b.step([resumed], [gs[0]!], lr);
    const saved = b.state();
    const c = new Adam(DEFAULT_ADAM, [4]);
    c.load(saved);
    saved.m[0]!.fill(123); // state() and load() copy: this must not leak into c
    for (const g of gs.slice(1)) c.step([resumed], [g], lr);
    assert.deepStrictEqual(resumed, straight);
    assert.deepStrictEqual(c.state(), a.state());
  });

  test('shape and config errors name what is wrong', () => {
    const adam = new Adam(DEFAULT_ADAM, [4, 2]);
    assert.throws(() => adam.step([new Float32Array(4)], [new Float32Array(4)], lr), /built for 2 tensors/);
    assert.throws(
      () => adam.step([new Float32Array(4), new Float32Array(3)], [new Float32Array(4), new Float32Array(2)], lr),
      /tensor 1 has 2 values, got param of 3/,
    );
    assert.throws(() => adam.step([new Float32Array(4), new Float32Array(2)], [new Float32Array(4), new Float32Array(2)], NaN), /learning rate/);
    assert.throws(() => new Adam({ ...DEFAULT_ADAM, beta1: 1 }, [1]), /beta1/);
    assert.throws(() => new Adam({ ...DEFAULT_ADAM, eps: 0 }, [1]), /eps/);
  });
});

describe('SmoothedSgd', () => {
  // Dyadic options so every value below is exact: s = 0.75, wc = 0.25, lr = 0.5.
  // Rule: g̃ ← 0.75·g̃ + 0.25·g ; W ← W − 0.5·(g̃ + 0.25·W)   (biases: wc = 0).
  const cfg = { smoothing: 0.75, weightCost: 0.25 };
  const lr = 0.5;

  test('exact on dyadic values, weight cost on weights only', () => {
    const w = Float32Array.from([1, -2]); // decay = true
    const b = Float32Array.from([1, -2]); // decay = false
    const gw = Float32Array.from([1, 0]);
    const gb = Float32Array.from([1, 0]);
    const sgd = new SmoothedSgd(cfg, [2, 2], [true, false]);

    // Step 1:
    //   w0: g̃ = 0.75·0 + 0.25·1 = 0.25;  w = 1 − 0.5·(0.25 + 0.25·1)       = 1 − 0.25      = 0.75
    //   w1: g̃ = 0;                        w = −2 − 0.5·(0 + 0.25·(−2))       = −2 + 0.25     = −1.75
    //   b0: g̃ = 0.25;                     b = 1 − 0.5·0.25                   = 0.875
    //   b1: g̃ = 0;                        b = −2 (no gradient, no weight cost: unchanged)
    sgd.step([w, b], [gw, gb], lr);
    assert.deepStrictEqual(w, Float32Array.from([0.75, -1.75]));
    assert.deepStrictEqual(b, Float32Array.from([0.875, -2]));
    assert.deepStrictEqual(sgd.state().smoothed, [Float32Array.from([0.25, 0]), Float32Array.from([0.25, 0])]);

    // Step 2, same gradients:
    //   w0: g̃ = 0.75·0.25 + 0.25 = 0.4375; w = 0.75 − 0.5·(0.4375 + 0.1875) = 0.75 − 0.3125 = 0.4375
    //   w1: g̃ = 0;                         w = −1.75 − 0.5·(0.25·(−1.75))   = −1.75 + 0.21875 = −1.53125
    //   b0: g̃ = 0.4375;                    b = 0.875 − 0.5·0.4375            = 0.65625
    //   b1: unchanged                       b = −2
    sgd.step([w, b], [gw, gb], lr);
    assert.deepStrictEqual(w, Float32Array.from([0.4375, -1.53125]));
    assert.deepStrictEqual(b, Float32Array.from([0.65625, -2]));
    assert.deepStrictEqual(sgd.state().smoothed, [Float32Array.from([0.4375, 0]), Float32Array.from([0.4375, 0])]);
  });

  test("Hinton's constants: first step is lr·(0.1·g + 0.001·W)", () => {
    assert.deepStrictEqual({ ...HINTON_SGD }, { smoothing: 0.9, weightCost: 0.001 });
    const w = Float32Array.from([1, 0.5]);
    const sgd = new SmoothedSgd(HINTON_SGD, [2], [true]);
    sgd.step([w], [Float32Array.from([1, -1])], 0.01);
    // w0 = 1 − 0.01·(0.1 + 0.001·1) = 1 − 0.00101 = 0.99899;  w1 = 0.5 − 0.01·(−0.1 + 0.0005) = 0.500995
    assertClose(w, [0.99899, 0.500995], F32_TOL, 'w');
  });

  test('restore continues exactly; decay flags are checked', () => {
    const gs = [Float32Array.from([1, -0.5]), Float32Array.from([0.25, 2]), Float32Array.from([-3, 0])];
    const straight = Float32Array.from([0.5, -1]);
    const a = new SmoothedSgd(HINTON_SGD, [2], [true]);
    for (const g of gs) a.step([straight], [g], 0.01);
    const resumed = Float32Array.from([0.5, -1]);
    const b = new SmoothedSgd(HINTON_SGD, [2], [true]);
    b.step([resumed], [gs[0]!], 0.01);
    const c = new SmoothedSgd(HINTON_SGD, [2], [true]);
    c.load(b.state());
    for (const g of gs.slice(1)) c.step([resumed], [g], 0.01);
    assert.deepStrictEqual(resumed, straight);
    assert.throws(() => new SmoothedSgd(HINTON_SGD, [2, 3], [true]), /2 tensors but 1 decay flags/);
  });

  test('both optimisers fit the Optimizer interface', () => {
    const opts: Optimizer[] = [new Adam(DEFAULT_ADAM, [1]), new SmoothedSgd(HINTON_SGD, [1], [false])];
    for (const opt of opts) {
      const p = Float32Array.from([1]);
      opt.step([p], [Float32Array.from([1])], 0.5);
      assert.ok(p[0]! < 1, 'a positive gradient lowers the parameter (the loss is minimised)');
      assert.equal(typeof opt.state(), 'object');
    }
  });
});

describe('lrAt', () => {
  // base 0.5, 8 steps: Hinton's epoch e = step + 1; gain 1 for e <= 4, else (1 + 2·(8 − e))/8.
  test('linear-decay at start, middle and end (dyadic, exact)', () => {
    const lrs = Array.from({ length: 8 }, (_, step) => lrAt('linear-decay', 0.5, step, 8));
    // e = 1..4: 0.5;  e = 5: 0.5·7/8 = 0.4375;  e = 6: 0.5·5/8 = 0.3125;  e = 7: 0.5·3/8 = 0.1875;
    // e = 8 (the last step): 0.5·1/8 = 0.0625
    assert.deepStrictEqual(lrs, [0.5, 0.5, 0.5, 0.5, 0.4375, 0.3125, 0.1875, 0.0625]);
  });

  test("linear-decay reproduces Hinton's epsgain for 100 epochs", () => {
    assert.equal(lrAt('linear-decay', 1, 0, 100), 1); // epoch 1
    assert.equal(lrAt('linear-decay', 1, 49, 100), 1); // epoch 50 = maxepoch/2: still 1
    assert.equal(lrAt('linear-decay', 1, 50, 100), 0.99); // epoch 51: (1 + 2·49)/100
    assert.equal(lrAt('linear-decay', 1, 99, 100), 0.01); // epoch 100: 1/100
  });

  test('odd total and a single step', () => {
    // total 5: e <= 2.5 → e = 1, 2 gain 1; e = 3: (1 + 4)/5 = 1; e = 4: 3/5; e = 5: 1/5.
    const lrs = Array.from({ length: 5 }, (_, step) => lrAt('linear-decay', 1, step, 5));
    assert.deepStrictEqual(lrs, [1, 1, 1, 3 / 5, 1 / 5]);
    assert.equal(lrAt('linear-decay', 0.25, 0, 1), 0.25); // e = 1 > 0.5: (1 + 0)/1 = 1
  });

  test('constant, and out-of-range steps are errors', () => {
    assert.deepStrictEqual([0, 4, 7].map((s) => lrAt('constant', 0.5, s, 8)), [0.5, 0.5, 0.5]);
    assert.throws(() => lrAt('constant', 0.5, 8, 8), /step must be an integer in \[0, 8\)/);
    assert.throws(() => lrAt('linear-decay', 0.5, -1, 8), /step must be/);
    assert.throws(() => lrAt('linear-decay', 0.5, 0, 0), /totalSteps/);
  });
});
