// The wrong labels of supervised FF's negative rows (src/ff/inputs/negatives.ts), checked as draws:
// hard negatives follow the head's probabilities over the wrong labels (a seeded chi-square test
// on 20 000 rows; labels of probability 0 are never drawn), a head that puts no mass on any wrong
// label (or a non-finite one) falls back to uniform wrong labels, no draw is ever the true label,
// and every row takes exactly one uniform draw, so later draws of the stream do not shift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hardWrongLabels, randomWrongLabels } from '../src/ff/inputs/negatives.ts';
import { makeRng } from '../src/rng.ts';

const C = 10;
const B = 20000;

/** Counts of each label in `out`. */
function counts(out: Int32Array): number[] {
  const n = new Array<number>(C).fill(0);
  for (const c of out) n[c]!++;
  return n;
}

/** Pearson's chi-square of observed counts against expected probabilities (cells of p = 0 excluded). */
function chiSquare(observed: number[], p: number[]): { chi2: number; dof: number } {
  const total = observed.reduce((a, b) => a + b, 0);
  let chi2 = 0, dof = -1;
  p.forEach((pc, c) => {
    if (pc === 0) return;
    const e = total * pc;
    chi2 += (observed[c]! - e) ** 2 / e;
    dof++;
  });
  return { chi2, dof };
}

// The 0.999 quantile of chi-square with 7 and 8 degrees of freedom: a correct sampler exceeds it
// once in a thousand seeds; these are seeded, so the test's outcome is fixed either way.
const CHI2_999 = { 7: 24.32, 8: 26.12 } as Record<number, number>;

test('hard negatives: drawn in proportion to the head\'s probability of each wrong label, never the true one', () => {
  // Row r's true label is 2 (probability 0.3); labels 3 and 9 have probability 0.
  const row = [0.05, 0.1, 0.3, 0, 0.2, 0.15, 0.1, 0.05, 0.05, 0];
  const probs = new Float32Array(B * C);
  for (let r = 0; r < B; r++) probs.set(row, r * C);
  const labels = new Int32Array(B).fill(2);
  const out = new Int32Array(B);
  hardWrongLabels(out, labels, probs, B, C, makeRng(1, 'negatives'));
  const n = counts(out);
  assert.equal(n[2], 0, 'the true label is never drawn');
  assert.equal(n[3], 0, 'a label of probability 0 is never drawn');
  assert.equal(n[9], 0, 'a label of probability 0 is never drawn');
  const expected = row.map((p, c) => (c === 2 ? 0 : p / 0.7));
  const { chi2, dof } = chiSquare(n, expected);
  assert.equal(dof, 6);
  assert.ok(chi2 < 22.46,
    `chi-square ${chi2.toFixed(2)} over 6 degrees of freedom: the draws do not follow p_c / Σ_wrong p (0.999 quantile 22.46); counts ${n}`);
  // Label 4 (0.2 / 0.7 = 0.286) is drawn about 5714 times: a sampler that ignored the
  // probabilities (uniform: 2222) or renormalised over all labels would be far off.
  assert.ok(Math.abs(n[4]! - B * 0.2 / 0.7) < 300, `label 4 drawn ${n[4]} times, expected about ${(B * 0.2 / 0.7).toFixed(0)}`);
});

test('hard negatives: a head with no mass on the wrong labels falls back to uniform wrong labels', () => {
  for (const [what, fill] of [['all mass on the true label', 0], ['NaN probabilities', NaN]] as const) {
    const probs = new Float32Array(B * C).fill(fill);
    const labels = new Int32Array(B);
    for (let r = 0; r < B; r++) {
      labels[r] = r % C;
      if (fill === 0) probs[r * C + labels[r]!] = 1;
    }
    const out = new Int32Array(B);
    hardWrongLabels(out, labels, probs, B, C, makeRng(2, 'negatives'));
    for (let r = 0; r < B; r++) assert.notEqual(out[r], labels[r], `${what}: row ${r} drew its true label`);
    // Offsets (wrong − true) mod C are uniform over 1..9.
    const offsets = new Int32Array(B).map((_, r) => (out[r]! - labels[r]! + C) % C);
    const { chi2, dof } = chiSquare(counts(offsets), [0, ...new Array<number>(9).fill(1 / 9)]);
    assert.ok(chi2 < CHI2_999[dof]!, `${what}: offsets not uniform over 1..9 (chi-square ${chi2.toFixed(2)}, ${dof} dof): ${counts(offsets)}`);
  }
});

test('random negatives: uniform over the wrong labels, never the true one', () => {
  const labels = new Int32Array(B).map((_, r) => (r * 7) % C);
  const out = new Int32Array(B);
  randomWrongLabels(out, labels, B, C, makeRng(3, 'negatives'));
  for (let r = 0; r < B; r++) assert.notEqual(out[r], labels[r]);
  const offsets = new Int32Array(B).map((_, r) => (out[r]! - labels[r]! + C) % C);
  const { chi2, dof } = chiSquare(counts(offsets), [0, ...new Array<number>(9).fill(1 / 9)]);
  assert.ok(chi2 < CHI2_999[dof]!, `offsets not uniform (chi-square ${chi2.toFixed(2)}): ${counts(offsets)}`);
});

test('hard negatives take one uniform draw per row, whichever branch, so the stream stays in step', () => {
  const n = 6;
  const probs = new Float32Array(n * C).fill(0.1);
  probs.fill(0, 2 * C, 3 * C); // row 2: no mass anywhere → the fallback
  const labels = new Int32Array([0, 1, 2, 3, 4, 5]);
  const rng = makeRng(4, 'negatives'), twin = makeRng(4, 'negatives');
  hardWrongLabels(new Int32Array(n), labels, probs, n, C, rng);
  for (let r = 0; r < n; r++) twin.uniform();
  assert.equal(rng.uniform(), twin.uniform());
});
