// Row kernels: the per-example operations FF needs around the matrix product.
// R = rows (examples), C = columns. Every array is row-major (R, C) unless said otherwise.
// Destination first, no allocation. They take Float32Array or Float64Array (`Floats`) so that
// the gradient tests can run the very same code in float64.

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

// colSum (C) = Σ_r m[r, :] over the rows r0 .. r0+R-1 of m (row-major, C columns).
export function columnSums(colSum: Floats, m: Floats, r0: number, R: number, C: number): void {
  colSum.fill(0);
  for (let r = r0, o = r0 * C; r < r0 + R; r++, o += C) {
    for (let j = 0; j < C; j++) colSum[j] = colSum[j]! + m[o + j]!;
  }
}
