// The first layer of rows that differ only in their label pixels, from ONE matrix product per image.
// The label overlay replaces pixels 0..C-1 of an image by a label part ℓ (s·one-hot(c) for label c;
// v in every label pixel for the neutral row), so for an image x with its label pixels zeroed (x_rest)
//   ‖x_ℓ‖² = Σ_{j≥C} x_j² + ‖ℓ‖²        — the same for every one-hot label (‖ℓ‖² = s²): one
//                                          normalisation factor κ per image (another for the neutral row)
//   x̂_ℓ·W = κ·(x_rest·W + ℓ·W[0..C-1, :])  — ℓ·W[0..C-1,:] = s·W[c, :], or v·Σ_c W[c, :] (neutral)
// and z_ℓ = κ·(x_rest·W + ℓ·W[0..C-1,:]) + b. x_rest·W is shared by every label of an image:
// evaluation's C label passes and training's positive, negative and neutral rows cost one product
// per image instead of C (or 3). The weight gradient of the positive and negative rows of the same
// images shares it too (κ is the same for both, since ‖ℓ‖² = s² for either label):
//   dW = Σ_r x̂_rᵀ·dZ_r = (κ⊙x_rest)ᵀ·(dZ_pos + dZ_neg)     on rows j ≥ C (one product of B rows, not 2B)
//   dW[c, :] = Σ_{r: label_r = c} (κ_r·s)·dZ_r              on the label rows (over all 2B rows)
// κ and κ⊙x_rest are bit-equal to the plain path's normalisation (the square sum is accumulated in
// the same order); z and dW are equal to it up to float32 rounding order (test/label-passes.test.ts).
// n = images, C = classes, D = pixels, H = first layer width.
import { goodnessRows, L2_EPS, RMS_EPS, type Norm, type Goodness } from './layer/definitions.ts';
import { COLUMN_SUMS, SCALE_ROWS, SUM_HALVES } from '../linalg/rows.ts';
import { INLINE_ROWS, rowTask, type RowRunner } from '../linalg/row-runner.ts';
import { sharedFloat32, sharedFloat64 } from '../linalg/shared-floats.ts';
import { matView, transposed } from '../linalg/view.ts';
import type { LayerActs, LayerParams, MatmulFn } from './layer/layer.ts';

// Square sum of a label part written as `count` pixels of value v, added in pixel order from 0
// as the plain normalisation adds them (so that κ below is bit-equal to the plain path's).
function labelSquares(v: number, count: number): number {
  let ss = 0;
  for (let c = 0; c < count; c++) ss += v * v;
  return ss;
}

// kappa (n) = the normalisation factor of each image (n, D) with a label part of square sum
// labelSq written into pixels 0..C-1: 1/(ε + sqrt(‖x‖²/D)) (rms) or 1/(ε + ‖x‖) (l2).
export function labelKappa(kappa: Float64Array, images: Float32Array, n: number, D: number, C: number, labelSq: number, norm: Norm): void {
  for (let r = 0, o = 0; r < n; r++, o += D) {
    let ss = labelSq;
    for (let j = C; j < D; j++) ss += images[o + j]! * images[o + j]!;
    kappa[r] = norm === 'rms' ? 1 / (RMS_EPS + Math.sqrt(ss / D)) : 1 / (L2_EPS + Math.sqrt(ss));
  }
}

// labelRows ((C+1), H), float64: row c = s·W[c, :] (label c), row C = v·Σ_c W[c, :] (neutral, v = neutral).
export function labelWeightRows(labelRows: Float64Array, W: Float32Array, H: number, C: number, s: number, neutral: number): void {
  const nr = C * H;
  for (let j = 0; j < H; j++) labelRows[nr + j] = 0;
  for (let c = 0; c < C; c++) {
    for (let j = 0; j < H; j++) {
      labelRows[c * H + j] = s * W[c * H + j]!;
      labelRows[nr + j] = labelRows[nr + j]! + neutral * W[c * H + j]!;
    }
  }
}

// y rows y0 .. y0+n-1 (H wide) = relu(κ_r·(base_r + labelRows[c_r]) + b) for the n images,
// c_r = labels[r] (an array) or the one label `labels` (a number; C = the neutral row). zOut, if
// given, receives the same rows of z (for an observer).
export function firstLayerRows(
  y: Float32Array, y0: number, base: Float32Array, kappa: Float64Array, labelRows: Float64Array, labels: Int32Array | number,
  b: Float32Array, n: number, H: number, zOut?: Float32Array,
): void {
  for (let r = 0; r < n; r++) {
    const k = kappa[r]!, o = (y0 + r) * H, bo = r * H;
    const lo = (typeof labels === 'number' ? labels : labels[r]!) * H;
    for (let j = 0; j < H; j++) {
      const z = k * (base[bo + j]! + labelRows[lo + j]!) + b[j]!;
      y[o + j] = (z + Math.abs(z)) * 0.5; // relu, branch-free as in rows.ts
    }
    if (zOut) for (let j = 0; j < H; j++) zOut[o + j] = k * (base[bo + j]! + labelRows[lo + j]!) + b[j]!;
  }
}

/** [y, y0, base, kappa, labelRows, labels (Int32Array, or a number: one label for all), b, H]: firstLayerRows without zOut. */
export const FIRST_LAYER_ROWS = rowTask<[
  y: Float32Array, y0: number, base: Float32Array, kappa: Float64Array, labelRows: Float64Array, labels: Int32Array | number,
  b: Float32Array, H: number,
]>('firstLayerRows', (a, lo, hi) => {
  const [y, y0, base, kappa, labelRows, labels, b, H] = a;
  const rowLabels = typeof labels === 'number' ? labels : labels.subarray(lo);
  firstLayerRows(y, y0 + lo, base.subarray(lo * H), kappa.subarray(lo), labelRows, rowLabels, b, hi - lo, H);
});

/** [kappa, images, D, C, labelSq, l2 (0 | 1)]: labelKappa. */
export const LABEL_KAPPA = rowTask<[
  kappa: Float64Array, images: Float32Array, D: number, C: number, labelSq: number, l2: number,
]>('labelKappa', (a, lo, hi) => {
  const [kappa, images, D, C, labelSq, l2] = a;
  labelKappa(kappa.subarray(lo), images.subarray(lo * D), hi - lo, D, C, labelSq, l2 === 1 ? 'l2' : 'rms');
});

// base (n, H) = x_rest·W, the product every label of the n images shares; zeroes the label pixels
// of images (n, D) first.
export function restProduct(base: Float32Array, images: Float32Array, W: Float32Array, n: number, D: number, H: number, C: number, mm: MatmulFn<Float32Array>): void {
  for (let r = 0; r < n; r++) images.fill(0, r * D, r * D + C);
  mm(matView(base, n, H), matView(images, n, D), matView(W, D, H));
}

/** Buffers of firstLayerAllLabels for up to n images, reused (in shared memory, for row jobs). */
export interface AllLabelsScratch {
  base: Float32Array; // (n, H) x_rest·W
  kappa: Float64Array; // (n)
  labelRows: Float64Array; // ((C+1), H)
}

export function makeAllLabelsScratch(n: number, H: number, C: number): AllLabelsScratch {
  return { base: sharedFloat32(n * H), kappa: sharedFloat64(n), labelRows: sharedFloat64((C + 1) * H) };
}

// y (C·n, H) and G (C·n) of acts: block c (rows c·n .. c·n+n-1) is the first layer's output for
// the n images of `images` (n, D) with label c written in at strength s.
// images is modified: its label pixels are zeroed.
export function firstLayerAllLabels(
  acts: LayerActs<Float32Array>, scratch: AllLabelsScratch, images: Float32Array, layer: LayerParams<Float32Array>,
  n: number, C: number, s: number, norm: Norm, goodness: Goodness, mm: MatmulFn<Float32Array>, par: RowRunner = INLINE_ROWS,
): void {
  const { D, H, W, b } = layer;
  const { base, kappa, labelRows } = scratch;
  par.run(LABEL_KAPPA, [kappa, images, D, C, s * s, norm === 'l2' ? 1 : 0], n, n * D); // labelKappa
  restProduct(base, images, W, n, D, H, C, mm); // x_rest·W, once
  labelWeightRows(labelRows, W, H, C, s, 0);
  for (let c = 0; c < C; c++) firstLayerRowsOn(par, acts.y, c * n, base, kappa, labelRows, c, b, n, H);
  goodnessRows(acts.G, acts.y, C * n, H, goodness, par);
}

/**
 * The shared first layer of a supervised training step on B images: the neutral rows, then the
 * B positive and B negative rows from one product x_rest·W₁, and dW₁ from one product of B rows.
 * Buffers for B images, reused every step.
 */
export interface SharedFirstLayer {
  base: Float32Array; // (B, H) x_rest·W
  kappa: Float64Array; // (B) κ of the positive and negative rows (label part s·one-hot)
  kappaNeutral: Float64Array; // (B) κ of the neutral rows
  labelRows: Float64Array; // ((C+1), H) see labelWeightRows
  labelGrad: Float64Array; // (C, H) dW's label rows, summed in float64
}

export function makeSharedFirstLayer(B: number, H: number, C: number): SharedFirstLayer {
  return {
    base: sharedFloat32(B * H), kappa: sharedFloat64(B), kappaNeutral: sharedFloat64(B),
    labelRows: sharedFloat64((C + 1) * H), labelGrad: sharedFloat64(C * H),
  };
}

// firstLayerRows (without zOut) on par's threads.
export function firstLayerRowsOn(
  par: RowRunner, y: Float32Array, y0: number, base: Float32Array, kappa: Float64Array, labelRows: Float64Array, labels: Int32Array | number,
  b: Float32Array, n: number, H: number,
): void {
  par.run(FIRST_LAYER_ROWS, [y, y0, base, kappa, labelRows, labels, b, H], n, n * H);
}

// Before the step's first layer: κ of both kinds of row, the shared product, the label rows.
// images (B, D) is modified: its label pixels are zeroed.
export function prepareSharedFirstLayer(
  sh: SharedFirstLayer, images: Float32Array, layer: LayerParams<Float32Array>, B: number, C: number, s: number, neutral: number,
  norm: Norm, mm: MatmulFn<Float32Array>, par: RowRunner = INLINE_ROWS,
): void {
  const { D, H, W } = layer;
  const l2 = norm === 'l2' ? 1 : 0;
  par.run(LABEL_KAPPA, [sh.kappa, images, D, C, labelSquares(s, 1), l2], B, B * D); // labelKappa
  par.run(LABEL_KAPPA, [sh.kappaNeutral, images, D, C, labelSquares(neutral, C), l2], B, B * D);
  restProduct(sh.base, images, W, B, D, H, C, mm);
  labelWeightRows(sh.labelRows, W, H, C, s, neutral);
}

// layer.dW (D, H) and layer.db (H) over the 2B rows whose dZ (2B, H) is in acts (rows 0..B-1 the
// positives with `labels`, B..2B-1 the negatives with `wrong`), from the identity at the top.
// After the rows' forward: rest (B, D), the images with their label pixels zeroed, is scaled in
// place to κ⊙x_rest (x̂ without its label pixels), and sh.base is overwritten by dZ_pos + dZ_neg.
export function sharedFirstLayerGrads(
  sh: SharedFirstLayer, rest: Float32Array, layer: LayerParams<Float32Array>, acts: LayerActs<Float32Array>, labels: Int32Array, wrong: Int32Array,
  B: number, C: number, s: number, mm: MatmulFn<Float32Array>, par: RowRunner = INLINE_ROWS,
): void {
  const { D, H, dW } = layer, dZ = acts.dZ, S = sh.base, lg = sh.labelGrad;
  par.run(SCALE_ROWS, [rest, rest, sh.kappa, 1, D], B, B * D); // κ⊙x_rest: bit-equal to the plain x̂; label pixels stay 0
  par.run(SUM_HALVES, [S, dZ, B * H], B * H, B * H); // dZ_pos + dZ_neg
  mm(matView(dW, D, H), transposed(matView(rest, B, D)), matView(S, B, H)); // rows j ≥ C; rows < C come out 0
  par.run(LABEL_GRAD_COLUMNS, [lg, dZ, sh.kappa, labels, wrong, B, s, H], H, 2 * B * H);
  for (let i = 0; i < C * H; i++) dW[i] = lg[i]!;
  par.run(COLUMN_SUMS, [layer.db, dZ, 0, 2 * B, H], H, 2 * B * H); // columnSums
}

// lg (C, H), columns j0..j1-1: lg[c, j] = Σ_{r: label_r = c} x̂_r[c]·dZ[r, j] over the 2B rows of
// dZ (2B, H), rows 0..B-1 with `labels`, B..2B-1 with `wrong`, in row order; x̂_r[c] = fround(κ_r·s).
function labelGradColumns(
  lg: Float64Array, dZ: Float32Array, kappa: Float64Array, labels: Int32Array, wrong: Int32Array, B: number, s: number, H: number,
  j0: number, j1: number,
): void {
  for (let o = 0; o < lg.length; o += H) lg.fill(0, o + j0, o + j1);
  for (let r = 0; r < 2 * B; r++) {
    const i = r < B ? r : r - B, c = r < B ? labels[i]! : wrong[i]!;
    const xc = Math.fround(kappa[i]! * s), o = r * H, lo = c * H; // x̂ of the label pixel, as the plain path stores it
    for (let j = j0; j < j1; j++) lg[lo + j] = lg[lo + j]! + xc * dZ[o + j]!;
  }
}

/** [lg, dZ, kappa, labels, wrong, B, s, H], units = columns: labelGradColumns. */
export const LABEL_GRAD_COLUMNS = rowTask<[
  lg: Float64Array, dZ: Float32Array, kappa: Float64Array, labels: Int32Array, wrong: Int32Array, B: number, s: number, H: number,
]>('labelGradColumns', (a, lo, hi) => labelGradColumns(...a, lo, hi));
