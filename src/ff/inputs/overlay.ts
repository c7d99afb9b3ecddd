// Supervised FF's input: the label written into the first `classes` pixels of each image row.
// The positive row carries the true label, a negative row a wrong one; the neutral row (for the
// softmax head) carries the same small value in every label pixel. Nothing else is changed.
// B = rows, D = pixels per row, C = classes (10).

// out (B, D) = images (B, D) with pixels 0..C-1 replaced by one-hot(labels[r]) · strength.
// out may be images.
export function overlayLabels(out: Float32Array, images: Float32Array, labels: Int32Array, B: number, D: number, C: number, strength: number): void {
  for (let r = 0, o = 0; r < B; r++, o += D) {
    if (out !== images) for (let j = C; j < D; j++) out[o + j] = images[o + j]!;
    for (let c = 0; c < C; c++) out[o + c] = 0;
    out[o + labels[r]!] = strength;
  }
}

// out (B, D) = images (B, D) with every one of pixels 0..C-1 set to `value` (the neutral label).
export function overlayNeutral(out: Float32Array, images: Float32Array, B: number, D: number, C: number, value: number): void {
  for (let r = 0, o = 0; r < B; r++, o += D) {
    if (out !== images) for (let j = C; j < D; j++) out[o + j] = images[o + j]!;
    for (let c = 0; c < C; c++) out[o + c] = value;
  }
}

// The rows of supervised FF's step: out (2B, D) = rows 0..B−1 the images (B, D) with their true
// labels written in (positives), rows B..2B−1 the same images with the wrong labels (negatives).
export function overlayPositiveNegative(
  out: Float32Array, images: Float32Array, labels: Int32Array, wrong: Int32Array, B: number, D: number, C: number, strength: number,
): void {
  overlayLabels(out, images, labels, B, D, C, strength);
  overlayLabels(out.subarray(B * D), images, wrong, B, D, C, strength);
}
