// Tests for src/ff/layer/definitions.ts: the stable softplus / sigmoid / logSigmoid helpers (known
// values, ±1000 without overflow or NaN, identities), the threshold θ and its override, goodness
// for 'sum' and 'mean' (exact on dyadic rows), and the FF loss: its value and dL/dG on rows worked
// out by hand, dL/dG against central differences of the returned loss in float64, and its signs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ffLossRows, goodnessRows, goodnessScale, L2_EPS, logSigmoid, normalizeRows, RMS_EPS, sigmoid, softplus, thresholdFor,
} from '../src/ff/layer/definitions.ts';
import { makeRng } from '../src/rng.ts';
import { assertClose, centralDifference } from './helpers.ts';

/** float64 tolerance for values of order 1 computed by a few library calls. */
const F64_TOL = 4 * Number.EPSILON;

describe('softplus, sigmoid, logSigmoid', () => {
  test('known values at 0', () => {
    assert.equal(softplus(0), Math.LN2);
    assert.equal(sigmoid(0), 0.5);
    assert.equal(logSigmoid(0), -Math.LN2);
  });

  test('±1000: finite, with the right asymptotes, no NaN', () => {
    assert.equal(softplus(1000), 1000);
    const small = softplus(-1000);
    assert.ok(small >= 0 && small < 1e-300, `softplus(−1000) = ${small}`);
    assert.equal(sigmoid(1000), 1);
    assert.equal(sigmoid(-1000), 0);
    assert.equal(logSigmoid(-1000), -1000);
    const tiny = logSigmoid(1000);
    assert.ok(tiny <= 0 && tiny > -1e-300, `logSigmoid(1000) = ${tiny}`);
    for (const u of [-1e308, -1000, -745, -710, 710, 745, 1000, 1e308]) {
      for (const f of [softplus, sigmoid, logSigmoid]) assert.ok(Number.isFinite(f(u)), `${f.name}(${u}) = ${f(u)}`);
    }
    assert.equal(softplus(-Infinity), 0);
    assert.equal(sigmoid(-Infinity), 0);
    assert.equal(sigmoid(Infinity), 1);
  });

  test('far tails keep relative precision (a raw log(1 + e^u) would give 0 at u = −50)', () => {
    // softplus(u) = e^u − e^{2u}/2 + …  and σ(u) = e^u/(1 + e^u) for u ≪ 0
    assertClose([softplus(-50)], [Math.exp(-50)], Math.exp(-50) * F64_TOL, 'softplus(−50)');
    assertClose([sigmoid(-50)], [Math.exp(-50)], Math.exp(-50) * F64_TOL, 'σ(−50)');
    assertClose([logSigmoid(-50)], [-50], 50 * F64_TOL, 'log σ(−50)');
    assertClose([softplus(50)], [50], 50 * F64_TOL, 'softplus(50)');
  });

  test('identities: σ(u) + σ(−u) = 1, softplus(u) − softplus(−u) = u, log σ(u) = log(σ(u)), σ is softplus′', () => {
    for (const u of [-30, -5, -1.5, -0.25, 0, 0.25, 1.5, 5, 30]) {
      assertClose([sigmoid(u) + sigmoid(-u)], [1], F64_TOL, `σ(${u}) + σ(${-u})`);
      assertClose([softplus(u) - softplus(-u)], [u], Math.max(1, Math.abs(u)) * F64_TOL, `softplus difference at ${u}`);
      assertClose([logSigmoid(u)], [Math.log(sigmoid(u))], Math.max(1, Math.abs(u)) * F64_TOL, `log σ(${u})`);
      // A raw log(1 + e^u) is accurate here (|u| ≤ 30, 1 + e^u far from 1 or overflow).
      if (Math.abs(u) <= 5) assertClose([softplus(u)], [Math.log(1 + Math.exp(u))], 8 * F64_TOL, `softplus(${u}) vs raw`);
      const h = 1e-5;
      assertClose([(softplus(u + h) - softplus(u - h)) / (2 * h)], [sigmoid(u)], 1e-9, `softplus′(${u})`);
    }
  });
});

describe('threshold and goodness', () => {
  test('thresholdFor: sum → H, mean → 2, an override wins, including 0', () => {
    assert.equal(thresholdFor('sum', 7, null), 7);
    assert.equal(thresholdFor('mean', 7, null), 2);
    assert.equal(thresholdFor('sum', 7, 3.5), 3.5);
    assert.equal(thresholdFor('mean', 7, 3.5), 3.5);
    assert.equal(thresholdFor('sum', 7, 0), 0);
    assert.equal(thresholdFor('mean', 7, 0), 0);
    assert.equal(thresholdFor('sum', 7, -1), -1);
  });

  test('goodnessScale: 1 for sum, 1/H for mean', () => {
    assert.equal(goodnessScale('sum', 8), 1);
    assert.equal(goodnessScale('mean', 8), 0.125);
  });

  test('goodnessRows is exact on dyadic rows for sum and mean', () => {
    const y = Float32Array.from([1, 2, 0, 0.5, 0, 0, 0, 0, -0.25, 0.25, -1, 1]); // (3, 4)
    const G = new Float32Array(3).fill(7);
    goodnessRows(G, y, 3, 4, 'sum');
    assert.deepStrictEqual(G, Float32Array.from([5.25, 0, 2.125]));
    goodnessRows(G, y, 3, 4, 'mean');
    assert.deepStrictEqual(G, Float32Array.from([1.3125, 0, 0.53125]));
  });

  test('normalizeRows dispatches to rms (ε 1e-8) and l2 (ε 1e-4)', () => {
    assert.equal(RMS_EPS, 1e-8);
    assert.equal(L2_EPS, 1e-4);
    const x = Float64Array.from([2, 0, 0, 0]);
    const out = new Float64Array(4);
    normalizeRows(out, x, 1, 4, 'rms'); // mean square 1
    assert.deepStrictEqual(out, Float64Array.from([2 / (1 + 1e-8), 0, 0, 0]));
    normalizeRows(out, x, 1, 4, 'l2'); // length 2
    assert.deepStrictEqual(out, Float64Array.from([2 / (2 + 1e-4), 0, 0, 0]));
  });
});

describe('ffLossRows', () => {
  test('G = θ on every row: loss ln 2, dL/dG = −0.5/R on positives, +0.5/R on negatives', () => {
    const R = 4, P = 2, theta = 3;
    const G = Float64Array.from([3, 3, 3, 3]);
    const dLdG = new Float64Array(R).fill(7);
    const loss = ffLossRows(dLdG, G, R, P, theta);
    assert.equal(loss, Math.LN2);
    assert.deepStrictEqual(dLdG, Float64Array.from([-0.125, -0.125, 0.125, 0.125]));
  });

  test('hand-computed rows with θ = 2', () => {
    // positive G = 2 + ln 3: u = ln 3, p = σ(u) = 3/4, L = softplus(−ln 3) = ln(4/3), dL/dG = −1/4 /R
    // negative G = 2 − ln 3: u = −ln 3, p = 1/4,        L = softplus(−ln 3) = ln(4/3), dL/dG = +1/4 /R
    // negative G = 2 + ln 3: p = 3/4,                   L = softplus(ln 3)  = ln 4,    dL/dG = +3/4 /R
    const R = 3, P = 1;
    const G = Float64Array.from([2 + Math.log(3), 2 - Math.log(3), 2 + Math.log(3)]);
    const dLdG = new Float64Array(R);
    const loss = ffLossRows(dLdG, G, R, P, 2);
    assertClose([loss], [(2 * Math.log(4 / 3) + Math.log(4)) / 3], F64_TOL, 'loss');
    assertClose(dLdG, [-0.25 / 3, 0.25 / 3, 0.75 / 3], F64_TOL, 'dL/dG');
  });

  test('P = 0 (all negative) and P = R (all positive)', () => {
    const G = Float64Array.from([0, 4]);
    const d = new Float64Array(2);
    // θ = 2. All negative: softplus(−2) + softplus(2), over 2.
    assertClose([ffLossRows(d, G, 2, 0, 2)], [(softplus(-2) + softplus(2)) / 2], F64_TOL, 'all negative');
    assertClose(d, [sigmoid(-2) / 2, sigmoid(2) / 2], F64_TOL, 'all negative dL/dG');
    // All positive: softplus(2) + softplus(−2), over 2.
    assertClose([ffLossRows(d, G, 2, 2, 2)], [(softplus(2) + softplus(-2)) / 2], F64_TOL, 'all positive');
    assertClose(d, [-sigmoid(2) / 2, -sigmoid(-2) / 2], F64_TOL, 'all positive dL/dG');
  });

  test('dL/dG matches central differences of the returned loss (float64)', () => {
    const R = 8, P = 3;
    const rng = makeRng(11, 'definitions-fd');
    for (const theta of [0, 2, 16]) {
      const G = new Float64Array(R).map(() => theta + 6 * (rng.uniform() - 0.5));
      const dLdG = new Float64Array(R);
      ffLossRows(dLdG, G, R, P, theta);
      const scratch = new Float64Array(R);
      const fd = new Float64Array(R);
      for (let r = 0; r < R; r++) fd[r] = centralDifference(G, r, 1e-5, () => ffLossRows(scratch, G, R, P, theta));
      // central difference error ~ h²·L‴ + 2^-52·L/h: ≈ 1e-10 here
      assertClose(dLdG, fd, 1e-9, `θ = ${theta}`);
    }
  });

  test('sign convention: positive rows dL/dG < 0, negative rows dL/dG > 0 (minimising pushes G apart)', () => {
    const R = 10, P = 5, theta = 4;
    const G = Float64Array.from([0, 2, 4, 6, 30, 0, 2, 4, 6, 30]);
    const dLdG = new Float64Array(R);
    ffLossRows(dLdG, G, R, P, theta);
    for (let r = 0; r < P; r++) assert.ok(dLdG[r]! < 0, `positive row ${r}: dL/dG = ${dLdG[r]}`);
    for (let r = P; r < R; r++) assert.ok(dLdG[r]! > 0, `negative row ${r}: dL/dG = ${dLdG[r]}`);
    // Magnitudes: a positive row below θ gets a bigger push than one above it, and vice versa.
    assert.ok(Math.abs(dLdG[0]!) > Math.abs(dLdG[3]!));
    assert.ok(Math.abs(dLdG[8]!) > Math.abs(dLdG[5]!));
  });

  test('extreme goodness: finite loss, no NaN, gradient saturates at ∓1/R', () => {
    const R = 4, P = 2, theta = 2;
    // positive far below θ, positive far above, negative far above, negative far below
    const G = Float64Array.from([theta - 1000, theta + 1000, theta + 1000, theta - 1000]);
    const dLdG = new Float64Array(R);
    const loss = ffLossRows(dLdG, G, R, P, theta);
    assert.equal(loss, (1000 + 0 + 1000 + 0) / 4);
    assert.equal(dLdG[0], -1 / R);
    assert.equal(Math.abs(dLdG[1]!), 0);
    assert.equal(dLdG[2], 1 / R);
    assert.equal(dLdG[3], 0);
  });

  test('float32 storage: same formulas, dL/dG rounded to float32', () => {
    const G = Float32Array.from([1.5, 2.5]);
    const d = new Float32Array(2);
    const loss = ffLossRows(d, G, 2, 1, 2);
    assertClose([loss], [(softplus(0.5) + softplus(0.5)) / 2], F64_TOL, 'loss');
    assert.deepStrictEqual(d, Float32Array.from([-sigmoid(0.5) / 2, sigmoid(0.5) / 2]));
  });
});
