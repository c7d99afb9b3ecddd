// Wrong labels for the negative rows of supervised and recurrent FF. Never the true label.
// random: uniform over the C − 1 wrong labels. hard (Hinton): drawn in proportion to the softmax
// head's probability of each wrong label, so the net is shown the mistakes it is most likely to
// make. Both draw exactly one uniform u per row; `uOut` (optional) receives them, for the trace.
// B = rows, C = classes.
import type { Rng } from '../../rng.ts';

export type NegativesKind = 'hard' | 'random';

// out (B) = a wrong label per row, drawn as `kind` says (probs (B, C) is read only by 'hard').
export function drawWrongLabels(
  kind: NegativesKind, out: Int32Array, labels: Int32Array, probs: Float32Array, B: number, C: number, rng: Rng, uOut?: Float64Array,
): void {
  if (kind === 'hard') hardWrongLabels(out, labels, probs, B, C, rng, uOut);
  else randomWrongLabels(out, labels, B, C, rng, uOut);
}

// out (B) = (label + 1 + floor(u·(C − 1))) mod C: a uniformly drawn wrong label for each true
// label in labels (B).
export function randomWrongLabels(out: Int32Array, labels: Int32Array, B: number, C: number, rng: Rng, uOut?: Float64Array): void {
  for (let r = 0; r < B; r++) {
    const u = rng.uniform();
    if (uOut) uOut[r] = u;
    out[r] = (labels[r]! + 1 + Math.floor(u * (C - 1))) % C;
  }
}

// out (B) = a wrong label per row drawn with probability probs[r, c] / Σ_{k≠label} probs[r, k];
// probs is (B, C). Where every wrong label has probability 0 (a saturated head), falls back to
// a uniform wrong label. One uniform draw per row either way.
export function hardWrongLabels(out: Int32Array, labels: Int32Array, probs: Float32Array, B: number, C: number, rng: Rng, uOut?: Float64Array): void {
  for (let r = 0; r < B; r++) {
    const t = labels[r]!;
    const mass = wrongMass(probs, r, t, C);
    const u = rng.uniform();
    if (uOut) uOut[r] = u;
    if (!(mass > 0)) {
      out[r] = (t + 1 + Math.floor(u * (C - 1))) % C;
      continue;
    }
    let target = u * mass;
    let pick = -1;
    for (let c = 0; c < C; c++) {
      if (c === t) continue;
      pick = c;
      target -= probs[r * C + c]!;
      if (target < 0) break;
    }
    out[r] = pick; // rounding can leave target ≥ 0 after the last wrong label: that label is kept
  }
}

/** Σ_{c ≠ label} probs[r, c]: the mass hardWrongLabels samples row r's wrong label from. */
export function wrongMass(probs: Float32Array, r: number, label: number, C: number): number {
  let mass = 0;
  for (let c = 0; c < C; c++) if (c !== label) mass += probs[r * C + c]!;
  return mass;
}
