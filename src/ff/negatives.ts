// Wrong labels for supervised FF's negative rows. Never the true label.
// random: uniform over the C − 1 wrong labels. hard (Hinton): drawn in proportion to the softmax
// head's probability of each wrong label, so the net is shown the mistakes it is most likely to
// make. B = rows, C = classes.
import type { Rng } from '../rng.ts';

// out (B) = a uniformly drawn wrong label for each true label in labels (B).
export function randomWrongLabels(out: Int32Array, labels: Int32Array, B: number, C: number, rng: Rng): void {
  for (let r = 0; r < B; r++) out[r] = (labels[r]! + 1 + rng.int(C - 1)) % C;
}

// out (B) = a wrong label per row drawn with probability probs[r, c] / Σ_{k≠label} probs[r, k];
// probs is (B, C). Where every wrong label has probability 0 (a saturated head), falls back to
// a uniform wrong label. One uniform draw per row either way.
export function hardWrongLabels(out: Int32Array, labels: Int32Array, probs: Float32Array, B: number, C: number, rng: Rng): void {
  for (let r = 0; r < B; r++) {
    const t = labels[r]!;
    let mass = 0;
    for (let c = 0; c < C; c++) if (c !== t) mass += probs[r * C + c]!;
    const u = rng.uniform();
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
