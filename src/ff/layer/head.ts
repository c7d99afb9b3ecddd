// The linear softmax head: a classifier on the normalised activities of the scored FF layers.
// Used by supervised FF for one-pass prediction and hard negatives, and by unsupervised FF as the
// only classifier. Its features are constants: no gradient flows from the head into the FF layers.
// N = rows, F = feature width (sum of the scored layers' widths), C = classes.
import { columnSums, type Floats } from '../../linalg/rows.ts';
import { matView, transposed } from '../../linalg/view.ts';
import type { MatmulFn } from './layer.ts';
import { sharedFloat32 } from '../../linalg/shared-floats.ts';

/** Head parameters and gradients: W is (F, C) row-major, b is (C). Hinton starts them at 0. */
export interface HeadParams<T extends Floats> {
  F: number;
  C: number;
  W: T;
  b: T;
  dW: T;
  db: T;
}

export function makeHeadParams(F: number, C: number): HeadParams<Float32Array> {
  return { F, C, W: sharedFloat32(F * C), b: sharedFloat32(C), dW: sharedFloat32(F * C), db: sharedFloat32(C) };
}

// probs (N, C) = softmax(feats (N, F)·W + b), row by row (max subtracted for stability).
export function headForward<T extends Floats>(probs: T, feats: T, head: HeadParams<T>, N: number, matmul: MatmulFn<T>): void {
  const { F, C } = head;
  matmul(matView(probs, N, C), matView(feats, N, F), matView(head.W, F, C));
  for (let r = 0, o = 0; r < N; r++, o += C) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) {
      probs[o + c] = probs[o + c]! + head.b[c]!;
      if (probs[o + c]! > max) max = probs[o + c]!;
    }
    let sum = 0;
    for (let c = 0; c < C; c++) {
      const e = Math.exp(probs[o + c]! - max);
      probs[o + c] = e;
      sum += e;
    }
    for (let c = 0; c < C; c++) probs[o + c] = probs[o + c]! / sum;
  }
}

// Cross-entropy backward after headForward. labels (N) are class indices.
// Writes bufs.dLogits (N, C), head.dW (F, C), head.db (C); returns the mean cross-entropy.
//
// forward:  a = feats·W + b,  p_rc = e^{a_rc} / Σ_k e^{a_rk},  L = −(1/N) Σ_r log p_{r,label_r}
// dL/da_rc = (1/N)·(p_rc − [c = label_r])          (softmax and log cancel: the classic result)
// dL/dW    = featsᵀ·dLogits (F, C),   dL/db = Σ_r dLogits_r (C)
/** −log p of the true label t for the row of probabilities starting at probs[o] (clamped at 1e-30). */
export function crossEntropyRow(probs: Floats, o: number, t: number): number {
  return -Math.log(Math.max(probs[o + t]!, 1e-30));
}

/** The head's buffers of a pass of N rows: its features (N, F), probabilities (N, C) and gradient scratch (N, C) (a Workspace is one). */
export interface HeadBuffers<T extends Floats> {
  feats: T;
  probs: T;
  dLogits: T;
}

export function headBackward<T extends Floats>(
  bufs: HeadBuffers<T>, labels: Int32Array | Uint8Array, head: HeadParams<T>, N: number, matmul: MatmulFn<T>,
): number {
  const { dLogits, probs, feats } = bufs, { F, C } = head;
  let loss = 0;
  for (let r = 0, o = 0; r < N; r++, o += C) {
    const t = labels[r]!;
    loss += crossEntropyRow(probs, o, t);
    for (let c = 0; c < C; c++) dLogits[o + c] = (probs[o + c]! - (c === t ? 1 : 0)) / N;
  }
  matmul(matView(head.dW, F, C), transposed(matView(feats, N, F)), matView(dLogits, N, C));
  columnSums(head.db, dLogits, 0, N, C);
  return loss / N;
}
