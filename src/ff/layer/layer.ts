// One Forward-Forward layer: the forward pass and its hand-derived local backward.
// Forward: x̂ = norm(x), z = x̂·W + b, y = relu(z), G = goodness(y). Backward: the gradient of the
// layer's own FF loss with respect to W and b, nothing else: x̂ is a constant, no gradient flows
// to the layer below (that is the algorithm). Optional peer normalisation (Hinton) is added here.
// N = rows of the step (positives first, P of them, then negatives), D = input width, H = width.
// Generic over float32/float64 storage so the gradient test runs this exact code in float64.
import type { Config } from '../../config/config.ts';
import { BIAS_RELU_ROWS, COLUMN_SUMS, SCALE_ROWS, type Floats } from '../../linalg/rows.ts';
import { INLINE_ROWS, rowTask, type RowRunner } from '../../linalg/row-runner.ts';
import { sharedFloat32 } from '../../linalg/shared-floats.ts';
import { matView, transposed, type MatOf } from '../../linalg/view.ts';
import { maskGradient } from '../inputs/receptive-field.ts';
import {
  ffLossRows, goodnessRows, goodnessScale, normalizeRows, symbaLossRows, thresholdFor, type Goodness, type LossKind, type Norm,
} from './definitions.ts';

/** c = a·b on views (any backend). */
export type MatmulFn<T extends Floats> = (c: MatOf<T>, a: MatOf<T>, b: MatOf<T>) => void;

/** What a layer's forward and backward compute with: its maths, the product and the row threads (a trainer's StepContext is one). */
export interface LayerContext<T extends Floats> {
  math: LayerMath;
  mm: MatmulFn<T>;
  par?: RowRunner; // the threads of the row kernels; absent = the calling thread
}

/** The rows of a backward: N rows, rows 0..P-1 positive, the rest negative; peerOut (H), if given, receives the peer term (the trace). */
export interface BackwardRows {
  N: number;
  P: number;
  peerOut?: Float64Array;
}

/** The FF math options one layer needs (a slice of the run's Config). */
export interface LayerMath {
  norm: Norm; // input normalisation
  goodness: Goodness; // Σy² or Σy²/H
  threshold: number | null; // θ; null = the goodness's default (H or 2)
  thresholdNeg?: number | null; // θ⁻ of the negative rows; null or absent = θ
  act?: Activation; // what the layer passes up: 'relu' (y itself; absent = 'relu') or 'triangle' (relu(z − mean_j z)), see makeLayerActs
  peerNorm: number; // λ of peer normalisation; 0 = off
  peerMomentum: number; // m ← peerMomentum·m + (1 − peerMomentum)·mean_rows(y); Hinton: 0.9
  loss?: LossKind; // 'ff' (default) or 'symba' on the (r, P + r) pairs
  symbaAlpha?: number; // α of the SymBa loss (needed with 'symba')
  dropout?: number; // P of the inverted dropout applied to y before the backward (dropout.ts); 0 or absent = none
}

/**
 * What a layer passes to the layer above and to the head. 'relu': y = relu(z), the activity whose
 * goodness the layer learns. 'triangle' (Self-Contrastive FF): relu(z − mean_j z), the units above
 * their row's mean; the goodness is still that of y.
 */
export type Activation = Config['act'];

/**
 * Parameters, their gradients and the layer's running state. W is (D, H) row-major, b is (H).
 * Float32 ones live in shared memory (shared-floats.ts).
 */
export interface LayerParams<T extends Floats> {
  D: number;
  H: number;
  W: T;
  b: T;
  dW: T;
  db: T;
  peerMean: T; // (H) running mean activity of each unit on positive rows (peer normalisation)
  mask?: Uint8Array | null; // (D, H) local receptive fields (receptive-field.ts): W is 0 wherever mask is 0; absent = dense
}

/** Activations of one pass over up to `rows` rows; the trainer owns and reuses them. */
export interface LayerActs<T extends Floats> {
  xhat: T; // (N, D) normalised input
  y: T; // (N, H) relu(z); z itself is not kept: where y > 0, z = y, and the gradient needs only y
  G: T; // (N) goodness per row
  dLdG: T; // (N) dL/dG per row
  dZ: T; // (N, H) dL/dz
  up?: T | null; // (N, H) relu(z − mean_j z) when the layer passes 'triangle' up; absent or null for 'relu' (y is passed)
}

export function makeLayerParams(D: number, H: number): LayerParams<Float32Array> {
  return {
    D, H,
    W: sharedFloat32(D * H), b: sharedFloat32(H),
    dW: sharedFloat32(D * H), db: sharedFloat32(H),
    peerMean: sharedFloat32(H).fill(0.5), // Hinton starts the running mean at 0.5
  };
}

export function makeLayerActs(rows: number, D: number, H: number, act: Activation = 'relu'): LayerActs<Float32Array> {
  return {
    xhat: sharedFloat32(rows * D), y: sharedFloat32(rows * H), G: sharedFloat32(rows),
    dLdG: sharedFloat32(rows), dZ: sharedFloat32(rows * H), up: act === 'triangle' ? sharedFloat32(rows * H) : null,
  };
}

/** What the layer passes up (to the layer above and to the head): acts.up, or y. */
export function layerOutput<T extends Floats>(acts: LayerActs<T>): T {
  return acts.up ?? acts.y;
}

// Forward over N rows. x is (N, D); writes acts.xhat (N, D), acts.y (N, H), acts.G (N).
//   x̂ = norm(x);  z = x̂·W + b;  y = relu(z);  G = Σ_j y_j² (·1/H for 'mean')
// ctx.par (here and below): the threads of the row kernels; absent = the calling thread.
export function layerForward<T extends Floats>(ctx: LayerContext<T>, acts: LayerActs<T>, x: T, layer: LayerParams<T>, N: number): void {
  normalizeRows(acts.xhat, x, N, layer.D, ctx.math.norm, ctx.par);
  layerForwardFromNormalised(ctx, acts, layer, N);
}

// The same forward from an input the caller has already normalised into acts.xhat (N, D): the
// recurrent net builds x̂ from two separately normalised neighbours, Self-Contrastive FF from the
// two halves of a pair (pairs.ts). Writes acts.y, acts.G (and acts.up when it is kept).
export function layerForwardFromNormalised<T extends Floats>(ctx: LayerContext<T>, acts: LayerActs<T>, layer: LayerParams<T>, N: number): void {
  const { math, mm: matmul, par = INLINE_ROWS } = ctx, { D, H } = layer;
  matmul(matView(acts.y, N, H), matView(acts.xhat, N, D), matView(layer.W, D, H));
  if (acts.up) triangleRows(acts.up, acts.y, layer.b, N, H); // from z − b, before y overwrites it
  par.run(BIAS_RELU_ROWS, [acts.y, acts.y, layer.b, H], N, N * H); // biasReluRows
  goodnessRows(acts.G, acts.y, N, H, math.goodness, par);
}

// z (N, H) = x̂·W + b from acts' x̂ (N, D): the pre-activation the forward does not keep, for an observer.
export function matmulAddBias<T extends Floats>(z: T, xhat: T, layer: LayerParams<T>, N: number, matmul: MatmulFn<T>): void {
  const { D, H, b } = layer;
  matmul(matView(z, N, H), matView(xhat, N, D), matView(layer.W, D, H));
  for (let r = 0, o = 0; r < N; r++, o += H) for (let j = 0; j < H; j++) z[o + j] = z[o + j]! + b[j]!;
}

// up (R, H) = relu(z − mean_j z) with z = zb + b; zb (R, H) is x̂·W, b (H). up must not be zb.
// No gradient flows through it: it is the layer above's input, a constant to that layer.
export function triangleRows<T extends Floats>(up: T, zb: T, b: T, R: number, H: number): void {
  for (let r = 0, o = 0; r < R; r++, o += H) {
    let sum = 0;
    for (let j = 0; j < H; j++) sum += zb[o + j]! + b[j]!;
    const mean = sum / H;
    for (let j = 0; j < H; j++) {
      const v = zb[o + j]! + b[j]! - mean;
      up[o + j] = v > 0 ? v : 0;
    }
  }
}

// Backward of the layer's FF loss over N rows (P positives first), after layerForward.
// Writes acts.dLdG, acts.dZ, layer.dW, layer.db; updates layer.peerMean; returns the FF loss.
// peerOut (H, optional, for the trace) receives the peer term (λ/N)·(m_j − m̄) added to dZ.
//
// forward:   z = x̂·W + b,   y = relu(z),   G_r = s·Σ_j y_rj²   (s = goodnessScale: 1 or 1/H)
//            L = (1/N) Σ_r L_r(G_r)         (ffLossRows: softplus(θ − G) or softplus(G − θ⁻))
// dL/dG_r:   (1/N)·{ −(1 − p_r) positive, +p_r negative },  p_r = σ(G_r − θ)      [dLdG]
// dG/dz_rj:  2·s·y_rj · [z_rj > 0] = 2·s·y_rj, since y_rj = 0 wherever z_rj ≤ 0:
//            the ReLU gate is already inside y                                      [gate]
// dL/dz_rj = dLdG_r · 2·s·y_rj  (+ the peer term below)                             [dZ]
// With math.loss 'symba' the [dLdG] line is symbaLossRows' (pairs (r, P + r), N = 2P):
//            (α/P)·σ(α·(G_{P+r} − G_r)) · {−1 on row r, +1 on row P + r}.
//
// Inverted dropout (math.dropout = p > 0; src/ff/inputs/dropout.ts applied it after the forward, so
// acts.y holds ỹ and acts.G its goodness):
// forward:   ỹ_rj = y_rj·m_rj/(1 − p),  m_rj ∈ {0, 1};  G_r = s·Σ_j ỹ_rj²; the next layer reads ỹ
// dG/dz_rj:  2·s·ỹ_rj · m_rj/(1 − p) · [z_rj > 0] = 2·s·ỹ_rj/(1 − p), since ỹ_rj = 0 wherever
//            m_rj = 0 or z_rj ≤ 0: the mask and the ReLU gate are both already inside ỹ      [keep]
// dL/dz_rj = dLdG_r · 2·s·ỹ_rj/(1 − p)  (+ the peer term, on ỹ's running mean)
// dL/dW    = x̂ᵀ·dZ   (D, H),   dL/db = Σ_r dZ_r   (H)                             [dW, db]
//
// Peer normalisation (λ = math.peerNorm > 0), positive rows only: first the running mean
//   m_j ← μ·m_j + (1 − μ)·mean_{r<P} y_rj,
// then dZ_rj += (λ/N)·(m_j − mean_k m_k) for every positive row r, NOT gated by the ReLU, so a
// dead unit (m_j below the mean) is pushed up even where its z is negative, and an over-active
// one is pushed down. With m held constant this is exactly the gradient of the surrogate term
//   (λ/N) Σ_{r<P} Σ_j (m_j − m̄)·z_rj,
// which is what the finite-difference test checks.
//
// Local receptive fields (layer.mask = M, (D, H) of 0/1):
// forward:   z = x̂·(W ⊙ M) + b,   z_rj = Σ_i x̂_ri·M_ij·W_ij + b_j
// local:     dz_rj/dW_ij = x̂_ri·M_ij   (no other unit's z depends on W_ij)
// dL/dW_ij = Σ_r dZ_rj·x̂_ri·M_ij = (x̂ᵀ·dZ)_ij·M_ij                                 [dW ⊙ M]
// W starts at 0 outside M and its gradient there is 0, so Adam and smoothed SGD (weight cost
// wc·0 = 0) keep it 0: W ⊙ M = W, and the forward above multiplies by W itself.
export function layerBackward<T extends Floats>(ctx: LayerContext<T>, acts: LayerActs<T>, layer: LayerParams<T>, rows: BackwardRows): number {
  const loss = layerBackwardDZ(ctx, acts, layer, rows);
  layerGradients(ctx, layer, acts, rows.N);
  return loss;
}

// The second half of layerBackward: [dW] = x̂ᵀ·dZ and [db] = Σ_r dZ_r from acts.xhat and acts.dZ
// of N rows, into layer.dW (D, H) and layer.db (H).
export function layerGradients<T extends Floats>(
  ctx: Pick<LayerContext<T>, 'mm' | 'par'>, layer: LayerParams<T>, acts: LayerActs<T>, N: number,
): void {
  const { mm: matmul, par = INLINE_ROWS } = ctx, { D, H } = layer;
  matmul(matView(layer.dW, D, H), transposed(matView(acts.xhat, N, D)), matView(acts.dZ, N, H)); // [dW]
  if (layer.mask) maskGradient(layer.dW, layer.mask); // [dW ⊙ M]
  par.run(COLUMN_SUMS, [layer.db, acts.dZ, 0, N, H], H, N * H); // [db] columnSums
}

// The first half of layerBackward: [dLdG], [dZ] and the peer term; returns the FF loss. The
// supervised first layer takes its [dW, db] from here by a shared product (label-passes.ts).
export function layerBackwardDZ<T extends Floats>(ctx: LayerContext<T>, acts: LayerActs<T>, layer: LayerParams<T>, rows: BackwardRows): number {
  const { math, par = INLINE_ROWS } = ctx, { N, P } = rows, H = layer.H;
  if (math.loss === 'symba' && (N !== 2 * P || math.symbaAlpha === undefined)) {
    throw new Error(`layerBackward: SymBa needs N = 2P rows and α (N ${N}, P ${P}, α ${math.symbaAlpha})`);
  }
  const theta = thresholdFor(math.goodness, H, math.threshold);
  const loss = math.loss === 'symba'
    ? symbaLossRows(acts.dLdG, acts.G, N, math.symbaAlpha!) // [dLdG] (pairs; N = 2P)
    : ffLossRows(acts.dLdG, acts.G, N, P, theta, math.thresholdNeg ?? theta); // [dLdG]
  const drop = math.dropout ?? 0;
  const twoS = 2 * goodnessScale(math.goodness, H) * (drop > 0 ? 1 / (1 - drop) : 1); // [keep]
  const y = acts.y, dZ = acts.dZ;
  par.run(SCALE_ROWS, [dZ, y, acts.dLdG, twoS, H], N, N * H); // [dZ] = (dLdG · 2s) · y   [gate]  (· 1/(1 − p) [keep])
  if (math.peerNorm > 0 && P > 0) addPeerNormalisation(ctx, acts, layer, rows);
  return loss;
}

// Peer normalisation (see layerBackward): update m = layer.peerMean (H) from the positive rows of
// y (N, H), then add the ungated (λ/N)·(m_j − m̄) to dZ (N, H) on rows 0..P-1 (and into peerOut (H), if given).
function addPeerNormalisation<T extends Floats>(ctx: LayerContext<T>, acts: LayerActs<T>, layer: LayerParams<T>, rows: BackwardRows): void {
  const { math, par = INLINE_ROWS } = ctx, { N, P, peerOut } = rows, { dZ, y } = acts, m = layer.peerMean, H = layer.H;
  par.run(PEER_MEAN_COLUMNS, [m, y, P, H, math.peerMomentum], H, P * H);
  let mBar = 0;
  for (let j = 0; j < H; j++) mBar += m[j]!;
  mBar /= H;
  const k = math.peerNorm / N;
  if (peerOut) for (let j = 0; j < H; j++) peerOut[j] = k * (m[j]! - mBar);
  par.run(ADD_PEER_ROWS, [dZ, m, mBar, k, H], P, P * H);
}

// m_j ← μ·m_j + (1 − μ)·mean_{r<P} y_rj for the columns j0..j1-1 of y (≥ P rows, H columns).
function peerMeanColumns(m: Floats, y: Floats, P: number, H: number, mu: number, j0: number, j1: number): void {
  for (let j = j0; j < j1; j++) {
    let mean = 0;
    for (let r = 0; r < P; r++) mean += y[r * H + j]!;
    m[j] = mu * m[j]! + (1 - mu) * (mean / P);
  }
}

// dZ (R, H): every row += k·(m − m̄), NOT gated.
function addPeerRows(dZ: Floats, m: Floats, mBar: number, k: number, R: number, H: number): void {
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < H; j++) dZ[r * H + j] = dZ[r * H + j]! + k * (m[j]! - mBar); // NOT gated
  }
}

/** [m, y, P, H, μ], units = columns: peerMeanColumns. */
export const PEER_MEAN_COLUMNS = rowTask<[m: Floats, y: Floats, P: number, H: number, μ: number]>('peerMeanColumns', (a, lo, hi) =>
  peerMeanColumns(...a, lo, hi));
/** [dZ, m, m̄, k, H]: addPeerRows. */
export const ADD_PEER_ROWS = rowTask<[dZ: Floats, m: Floats, m̄: number, k: number, H: number]>('addPeerRows', (a, lo, hi) => {
  const [dZ, m, mBar, k, H] = a;
  addPeerRows(dZ.subarray(lo * H, hi * H), m, mBar, k, hi - lo, H);
});
