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
// This file is the maths and its row kernels; src/ff/first-layer/label-passes.ts runs them as the
// first layer of supervised FF's passes. n = images, C = classes, D = pixels, H = first layer width.
import { L2_EPS, RMS_EPS, type Norm } from './layer/definitions.ts';
import { rowTask } from '../linalg/row-runner.ts';
import { sharedFloat32, sharedFloat64 } from '../linalg/shared-floats.ts';
import { matView } from '../linalg/view.ts';
import type { LayerParams, MatmulFn } from './layer/layer.ts';

// Square sum of a label part written as `count` pixels of value v, added in pixel order from 0
// as the plain normalisation adds them (so that κ below is bit-equal to the plain path's).
export function labelSquares(v: number, count: number): number {
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

/** The label part written into pixels 0..C-1: s·one-hot(c) for label c, the neutral value in every label pixel. */
export interface LabelPart {
  C: number;
  s: number;
  neutral: number;
}

// labelRows ((C+1), H), float64: row c = s·W[c, :] (label c), row C = v·Σ_c W[c, :] (neutral, v = part.neutral).
export function labelWeightRows(labelRows: Float64Array, layer: LayerParams<Float32Array>, part: LabelPart): void {
  const { W, H } = layer, { C, s, neutral } = part;
  const nr = C * H;
  for (let j = 0; j < H; j++) labelRows[nr + j] = 0;
  for (let c = 0; c < C; c++) {
    for (let j = 0; j < H; j++) {
      labelRows[c * H + j] = s * W[c * H + j]!;
      labelRows[nr + j] = labelRows[nr + j]! + neutral * W[c * H + j]!;
    }
  }
}

// y rows y0 .. y0+n-1 (H wide) = relu(z_r), z_r = κ_r·(base_r + labelRows[c_r]) + b for the n images,
// c_r = labels[r] (an array) or the one label `labels` (a number; C = the neutral row).
export function firstLayerRows(
  y: Float32Array, y0: number, base: Float32Array, kappa: Float64Array, labelRows: Float64Array, labels: Int32Array | number,
  b: Float32Array, n: number, H: number,
): void {
  for (let r = 0; r < n; r++) {
    const k = kappa[r]!, o = (y0 + r) * H, bo = r * H;
    const lo = (typeof labels === 'number' ? labels : labels[r]!) * H;
    for (let j = 0; j < H; j++) {
      const z = k * (base[bo + j]! + labelRows[lo + j]!) + b[j]!;
      y[o + j] = (z + Math.abs(z)) * 0.5; // relu, branch-free as in rows.ts
    }
  }
}

// The same rows' z itself, into z (n, H) (for an observer), from the shared product p of the n images.
export function firstLayerZRows(z: Float32Array, p: LabelProduct, labels: Int32Array, layer: LayerParams<Float32Array>, n: number): void {
  const { base, kappa, labelRows } = p, { b, H } = layer;
  for (let r = 0; r < n; r++) {
    const k = kappa[r]!, o = r * H, bo = r * H, lo = labels[r]! * H;
    for (let j = 0; j < H; j++) z[o + j] = k * (base[bo + j]! + labelRows[lo + j]!) + b[j]!;
  }
}

/** [y, y0, base, kappa, labelRows, labels (Int32Array, or a number: one label for all), b, H]: firstLayerRows. */
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

// base (n, H) = x_rest·W, the product every label of the n images shares, from rest (n, D), the
// images with their label pixels zeroed (zeroLabelPixels).
export function restProduct(mm: MatmulFn<Float32Array>, base: Float32Array, rest: Float32Array, layer: LayerParams<Float32Array>, n: number): void {
  const { D, H, W } = layer;
  mm(matView(base, n, H), matView(rest, n, D), matView(W, D, H));
}

// x_rest: pixels 0..C-1 of the n images (n, D) set to 0, in place.
export function zeroLabelPixels(images: Float32Array, n: number, D: number, C: number): void {
  for (let r = 0; r < n; r++) images.fill(0, r * D, r * D + C);
}

/** The shared product of n images and what turns it into rows: x_rest·W, κ, the label rows (AllLabelsScratch and SharedFirstLayer are ones). */
export interface LabelProduct {
  base: Float32Array; // (n, H) x_rest·W
  kappa: Float64Array; // (n)
  labelRows: Float64Array; // ((C+1), H)
}

/** Buffers of the all-labels first layer (first-layer/label-passes.ts) for up to n images, reused (in shared memory, for row jobs). */
export interface AllLabelsScratch {
  base: Float32Array; // (n, H) x_rest·W
  kappa: Float64Array; // (n)
  labelRows: Float64Array; // ((C+1), H)
}

export function makeAllLabelsScratch(n: number, H: number, C: number): AllLabelsScratch {
  return { base: sharedFloat32(n * H), kappa: sharedFloat64(n), labelRows: sharedFloat64((C + 1) * H) };
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
