// Self-Contrastive Forward-Forward pairs (Chen, Liu, Laydevant & Grollier, Nature Communications
// 2025): unsupervised negatives made of real images only. The first layer reads two images side by
// side through the same weights, [a | b]·[W; W] = (â + b̂)·W; a positive pair is an image beside
// itself, a negative pair an image beside a different image of the batch. Each half is first
// standardised on its own, then the concatenated row of 2·D values is normalised as a whole by the
// layer's norm (so the pair shares one scale), and the two normalised halves are added: that sum
// is the first layer's x̂. Layers above the first are the ordinary ones. The halves come from two
// sources a and b: the same images, or (--views 2) two views of each image, each shifted by its own
// draw, as the Self-Contrastive FF code's dual augmentation pairs them. R = rows, D = pixels.
import { normalizeRows, STD_EPS, type Norm } from '../layer/definitions.ts';
import { stdNormalizeRows, type Floats } from '../../linalg/rows.ts';
import type { Rng } from '../../rng.ts';

// u (R, D): row r = â + b̂, where [â | b̂] = norm([std(a_r) | std(b_{partner[r]})]); a and b are
// (≥ R, D) (often the same images) and partner (R) indexes b's rows; partner[r] = r makes a
// positive pair (the image beside itself, or beside its other view). scratch holds 2·D values.
// u must be neither a nor b.
export function pairInputRows(
  u: Floats, a: Floats, b: Floats, partner: Int32Array, R: number, D: number, norm: Norm, scratch: Floats,
): void {
  if (scratch.length < 2 * D) throw new Error(`pairInputRows: scratch holds ${scratch.length} values, needs 2·D = ${2 * D}`);
  const pair = scratch.subarray(0, 2 * D);
  for (let r = 0; r < R; r++) {
    const p = partner[r]!;
    stdNormalizeRows(pair.subarray(0, D), a.subarray(r * D, (r + 1) * D), 1, D, STD_EPS); // std(a_r)
    stdNormalizeRows(pair.subarray(D, 2 * D), b.subarray(p * D, (p + 1) * D), 1, D, STD_EPS); // std(b_p)
    normalizeRows(pair, pair, 1, 2 * D, norm); // [â | b̂], one scale for the pair
    for (let j = 0, o = r * D; j < D; j++) u[o + j] = pair[j]! + pair[D + j]!; // â + b̂
  }
}

// xhat (2B, D): the first layer's x̂ of a step's pairs of the B images, the left halves from
// pairs.a (B, D), the right from pairs.b (B, D) (b = a, or the images' second views): rows 0..B-1
// positive (image r beside itself: self[r] = r), rows B..2B-1 negative (image r beside image partners[r]).
/** A step's pairs: left halves a (B, D), right halves b (B, D), self[r] = r, the negatives' partners (B), and scratch for one pair row (2·D). */
export interface StepPairs {
  a: Floats;
  b: Floats;
  self: Int32Array;
  partners: Int32Array;
  scratch: Floats;
}

export function positiveNegativePairRows(xhat: Floats, pairs: StepPairs, B: number, D: number, norm: Norm): void {
  const { a, b, self, partners, scratch } = pairs;
  pairInputRows(xhat, a, b, self, B, D, norm, scratch); // [a | b]
  pairInputRows(xhat.subarray(B * D), a, b, partners, B, D, norm, scratch); // [a | b']
}

// The partners of a step's B negative pairs (out, B): negative r pairs image r with image
// (r + k) mod B, for one offset k ∈ 1..B-1 drawn from `rng` per step (as the Self-Contrastive FF
// code does), so no image is its own negative partner. A batch of one image has no other image:
// its negative pairs it with itself. Returns k.
export function drawPairPartners(out: Int32Array, B: number, rng: Rng): number {
  const k = B > 1 ? 1 + rng.int(B - 1) : 0;
  for (let r = 0; r < B; r++) out[r] = (r + k) % B;
  return k;
}
