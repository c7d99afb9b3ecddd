// Row kernels: the per-example operations FF needs around the matrix product.
// R = rows (examples), C = columns. Every array is row-major (R, C) unless said otherwise.
// Destination first, no allocation. They take Float32Array or Float64Array (`Floats`) so that
// the gradient tests can run the very same code in float64. Each also has a RowTask (bottom of
// the file): the same kernel on a range of rows, columns or elements, for the backend's threads.

import { rowTask } from './row-runner.ts';
import type { Floats } from './view.ts';
export type { Floats };

// out (R, C) = x (R, C) / (eps + sqrt(mean_j x_j²))  — Hinton's RMS normalisation.
// out may be x (in place).
export function rmsNormalizeRows(out: Floats, x: Floats, R: number, C: number, eps: number): void {
  for (let r = 0, o = 0; r < R; r++, o += C) {
    let ss = 0;
    for (let j = 0; j < C; j++) ss += x[o + j]! * x[o + j]!;
    const scale = 1 / (eps + Math.sqrt(ss / C));
    for (let j = 0; j < C; j++) out[o + j] = x[o + j]! * scale;
  }
}

// out (R, C) = x (R, C) / (eps + ‖x‖₂)  — the PyTorch reference's L2 normalisation.
// out may be x (in place).
export function l2NormalizeRows(out: Floats, x: Floats, R: number, C: number, eps: number): void {
  for (let r = 0, o = 0; r < R; r++, o += C) {
    let ss = 0;
    for (let j = 0; j < C; j++) ss += x[o + j]! * x[o + j]!;
    const scale = 1 / (eps + Math.sqrt(ss));
    for (let j = 0; j < C; j++) out[o + j] = x[o + j]! * scale;
  }
}

// out (R, C) = (x − mean_j x_j) / (eps + std_j x_j), std with the unbiased 1/(C − 1) (as
// torch.std; 1/1 for C = 1) — standardisation, the Self-Contrastive FF code's normalisation.
// out may be x (in place).
export function stdNormalizeRows(out: Floats, x: Floats, R: number, C: number, eps: number): void {
  for (let r = 0, o = 0; r < R; r++, o += C) {
    let sum = 0;
    for (let j = 0; j < C; j++) sum += x[o + j]!;
    const mean = sum / C;
    let ss = 0;
    for (let j = 0; j < C; j++) ss += (x[o + j]! - mean) * (x[o + j]! - mean);
    const scale = 1 / (eps + Math.sqrt(ss / Math.max(1, C - 1)));
    for (let j = 0; j < C; j++) out[o + j] = (x[o + j]! - mean) * scale;
  }
}

// y (R, C) = relu(z + b), b is (C). y may be z (in place).
export function biasReluRows(y: Floats, z: Floats, b: Floats, R: number, C: number): void {
  for (let r = 0, o = 0; r < R; r++, o += C) {
    for (let j = 0; j < C; j++) {
      const v = z[o + j]! + b[j]!;
      // relu(v) = (v + |v|)/2 without a branch (a mispredicted `v > 0 ? v : 0` costs ~3.7× on
      // mixed-sign rows). Exact: v + |v| is 2v or +0, and halving is exact.
      y[o + j] = (v + Math.abs(v)) * 0.5;
    }
  }
}

// s (R) = Σ_j y_j² per row, y is (R, C).
export function sumSquaresRows(s: Floats, y: Floats, R: number, C: number): void {
  for (let r = 0, o = 0; r < R; r++, o += C) {
    let ss = 0;
    for (let j = 0; j < C; j++) ss += y[o + j]! * y[o + j]!;
    s[r] = ss;
  }
}

// colSum (C) = Σ_r m[r, :] over the rows r0 .. r0+R-1 of m (row-major, C columns), summed in row
// order; only columns j0 .. j1-1 (default all) are written.
export function columnSums(colSum: Floats, m: Floats, r0: number, R: number, C: number, j0 = 0, j1 = C): void {
  colSum.fill(0, j0, j1);
  for (let r = r0, o = r0 * C; r < r0 + R; r++, o += C) {
    for (let j = j0; j < j1; j++) colSum[j] = colSum[j]! + m[o + j]!;
  }
}

// out (R, C): row r = x's row r times k_r·c, k (R). out may be x. (dZ = (dL/dG·2s)·y; κ⊙x.)
export function scaleRows(out: Floats, x: Floats, k: Floats, c: number, R: number, C: number): void {
  for (let r = 0, o = 0; r < R; r++, o += C) {
    const g = k[r]! * c;
    for (let j = 0; j < C; j++) out[o + j] = g * x[o + j]!;
  }
}

// out (n) = m[0..n) + m[n..2n): the sum of the two halves of m (2n); only i in [lo, hi) (default all).
export function sumHalves(out: Floats, m: Floats, n: number, lo = 0, hi = n): void {
  for (let i = lo; i < hi; i++) out[i] = m[i]! + m[n + i]!;
}

// --- The kernels above as row jobs (row-runner.ts): units are rows unless said otherwise. ---
/** [out, x, C, eps, kind (0 rms | 1 l2 | 2 std)]: rmsNormalizeRows / l2NormalizeRows / stdNormalizeRows. */
export const NORMALIZE_ROWS = rowTask<[out: Floats, x: Floats, C: number, eps: number, kind: number]>('normalizeRows', (a, lo, hi) => {
  const [out, x, C, eps, kind] = a, norm = [rmsNormalizeRows, l2NormalizeRows, stdNormalizeRows][kind]!;
  norm(out.subarray(lo * C, hi * C), x.subarray(lo * C, hi * C), hi - lo, C, eps);
});

/** [y, z, b, C]: biasReluRows. */
export const BIAS_RELU_ROWS = rowTask<[y: Floats, z: Floats, b: Floats, C: number]>('biasReluRows', (a, lo, hi) => {
  const [y, z, b, C] = a;
  biasReluRows(y.subarray(lo * C, hi * C), z.subarray(lo * C, hi * C), b, hi - lo, C);
});

/** [s, y, C]: sumSquaresRows. */
export const SUM_SQUARES_ROWS = rowTask<[s: Floats, y: Floats, C: number]>('sumSquaresRows', (a, lo, hi) => {
  const [s, y, C] = a;
  sumSquaresRows(s.subarray(lo, hi), y.subarray(lo * C, hi * C), hi - lo, C);
});

/** [colSum, m, r0, R, C], units = columns: columnSums. */
export const COLUMN_SUMS = rowTask<[colSum: Floats, m: Floats, r0: number, R: number, C: number]>('columnSums', (a, lo, hi) => {
  columnSums(...a, lo, hi);
});

/** [out, x, k, c, C]: scaleRows. */
export const SCALE_ROWS = rowTask<[out: Floats, x: Floats, k: Floats, c: number, C: number]>('scaleRows', (a, lo, hi) => {
  const [out, x, k, c, C] = a;
  scaleRows(out.subarray(lo * C, hi * C), x.subarray(lo * C, hi * C), k.subarray(lo, hi), c, hi - lo, C);
});

/** [out, m, n], units = elements: sumHalves. */
export const SUM_HALVES = rowTask<[out: Floats, m: Floats, n: number]>('sumHalves', (a, lo, hi) => {
  sumHalves(...a, lo, hi);
});
