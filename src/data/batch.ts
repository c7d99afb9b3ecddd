// Batch kernels: gather a mini-batch of rows and labels from a Split, and make an epoch's order.
// Pixels become float32 here and only here, as pixel/255 (so 0 -> 0 and 255 -> 1 exactly).
// Destination first; nothing allocates: the caller owns `out` and the index buffer, and passes
// the seeded `shuffle` stream (makeRng(seed, 'shuffle')) so every epoch's order follows the seed.
// These kernels do not embed labels, build negatives or normalise; that belongs to the model.
// Letters: N = images in the split, B = rows gathered (count), P = pixels per image.
import { shuffleInPlace, type Rng } from '../rng.ts';
import type { Split } from './dataset.ts';

/** Write images indices[start..start+count) of `split` into `out` as float32 pixel/255. */
export function gatherRows(out: Float32Array, split: Split, indices: Int32Array, start: number, count: number): void {
  // out is (B, P) row-major with B = count (out may be longer; the rest is untouched),
  // split.images is (N, P) uint8, indices[start .. start+B) are row numbers in 0..N-1.
  const P = split.pixels;
  const N = split.count;
  checkRange('gatherRows', indices, start, count);
  if (out.length < count * P) {
    throw new Error(`gatherRows: out has ${out.length} floats, need (${count}, ${P}) = ${count * P}`);
  }
  const images = split.images;
  for (let b = 0; b < count; b++) {
    const row = indices[start + b]!;
    if (!(row >= 0 && row < N)) {
      throw new Error(`gatherRows: index ${row} at position ${start + b} is not in 0..${N - 1}`);
    }
    const src = row * P;
    const dst = b * P;
    for (let p = 0; p < P; p++) out[dst + p] = images[src + p]! / 255;
  }
}

/** Write the labels of rows indices[start..start+count) of `split` into `out`. */
export function gatherLabels(out: Int32Array, split: Split, indices: Int32Array, start: number, count: number): void {
  // out is (B) with B = count (out may be longer), split.labels is (N), indices as in gatherRows.
  const N = split.count;
  checkRange('gatherLabels', indices, start, count);
  if (out.length < count) throw new Error(`gatherLabels: out has ${out.length} ints, need ${count}`);
  const labels = split.labels;
  for (let b = 0; b < count; b++) {
    const row = indices[start + b]!;
    if (!(row >= 0 && row < N)) {
      throw new Error(`gatherLabels: index ${row} at position ${start + b} is not in 0..${N - 1}`);
    }
    out[b] = labels[row]!;
  }
}

/** Fill `out` with 0..n-1 (n = out.length) and shuffle it in place with `rng`. */
export function epochOrder(out: Int32Array, rng: Rng): void {
  // out is (N): on return a permutation of 0..N-1; one Fisher-Yates pass draws N-1 numbers from rng.
  for (let i = 0; i < out.length; i++) out[i] = i;
  shuffleInPlace(out, rng);
}

function checkRange(name: string, indices: Int32Array, start: number, count: number): void {
  const ok = Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0;
  if (!ok || start + count > indices.length) {
    throw new Error(`${name}: rows [${start}, ${start + count}) are not within ${indices.length} indices`);
  }
}
