// One Forward-Forward layer: the forward pass and its hand-derived local backward.
// Forward: x̂ = norm(x), z = x̂·W + b, y = relu(z), G = goodness(y). Backward: the gradient of the
// layer's own FF loss with respect to W and b, nothing else: x̂ is a constant, no gradient flows
// to the layer below (that is the algorithm). Optional peer normalisation (Hinton) is added here.
// N = rows of the step (positives first, P of them, then negatives), D = input width, H = width.
// Generic over float32/float64 storage so the gradient test runs this exact code in float64.
import { BIAS_RELU_ROWS, COLUMN_SUMS, SCALE_ROWS, type Floats } from '../linalg/rows.ts';
import { INLINE_ROWS, rowTask, type RowArg, type RowRunner } from '../linalg/row-runner.ts';
import { sharedFloat32 } from '../linalg/shared-floats.ts';
import { matView, transposed, type MatOf } from '../linalg/view.ts';
import { ffLossRows, goodnessRows, goodnessScale, normalizeRows, thresholdFor, type Goodness, type Norm } from './definitions.ts';

/** c = a·b on views (any backend). */
export type MatmulFn<T extends Floats> = (c: MatOf<T>, a: MatOf<T>, b: MatOf<T>) => void;

/** The FF math options one layer needs (a slice of the run's Config). */
export interface LayerMath {
  norm: Norm; // input normalisation
  goodness: Goodness; // Σy² or Σy²/H
  threshold: number | null; // θ; null = the goodness's default (H or 2)
  peerNorm: number; // λ of peer normalisation; 0 = off
  peerMomentum: number; // m ← peerMomentum·m + (1 − peerMomentum)·mean_rows(y); Hinton: 0.9
}

/** Parameters, their gradients and the layer's running state. W is (D, H) row-major, b is (H). Float32 ones live in shared memory (shared-floats.ts). */
export interface LayerParams<T extends Floats> {
  D: number;
  H: number;
  W: T;
  b: T;
  dW: T;
  db: T;
  peerMean: T; // (H) running mean activity of each unit on positive rows (peer normalisation)
}

/** Activations of one pass over up to `rows` rows; the trainer owns and reuses them. */
export interface LayerActs<T extends Floats> {
  xhat: T; // (N, D) normalised input
  y: T; // (N, H) relu(z); z itself is not kept: where y > 0, z = y, and the gradient needs only y
  G: T; // (N) goodness per row
  dLdG: T; // (N) dL/dG per row
  dZ: T; // (N, H) dL/dz
}

export function makeLayerParams(D: number, H: number): LayerParams<Float32Array> {
  return {
    D, H,
    W: sharedFloat32(D * H), b: sharedFloat32(H),
    dW: sharedFloat32(D * H), db: sharedFloat32(H),
    peerMean: sharedFloat32(H).fill(0.5), // Hinton starts the running mean at 0.5
  };
}

export function makeLayerActs(rows: number, D: number, H: number): LayerActs<Float32Array> {
  return {
    xhat: sharedFloat32(rows * D), y: sharedFloat32(rows * H), G: sharedFloat32(rows),
    dLdG: sharedFloat32(rows), dZ: sharedFloat32(rows * H),
  };
}

// Forward over N rows. x is (N, D); writes acts.xhat (N, D), acts.y (N, H), acts.G (N).
//   x̂ = norm(x);  z = x̂·W + b;  y = relu(z);  G = Σ_j y_j² (·1/H for 'mean')
// par (here and below): the threads of the row kernels; the default is the calling thread.
export function layerForward<T extends Floats>(
  acts: LayerActs<T>, x: T, layer: LayerParams<T>, N: number, math: LayerMath, matmul: MatmulFn<T>, par: RowRunner = INLINE_ROWS,
): void {
  normalizeRows(acts.xhat, x, N, layer.D, math.norm, par);
  layerForwardFromNormalised(acts, layer, N, math, matmul, par);
}

// The same forward from an input the caller has already normalised into acts.xhat (N, D): the
// recurrent net builds x̂ from two separately normalised neighbours. Writes acts.y and acts.G.
export function layerForwardFromNormalised<T extends Floats>(
  acts: LayerActs<T>, layer: LayerParams<T>, N: number, math: LayerMath, matmul: MatmulFn<T>, par: RowRunner = INLINE_ROWS,
): void {
  const { D, H } = layer;
  matmul(matView(acts.y, N, H), matView(acts.xhat, N, D), matView(layer.W, D, H));
  par.run(BIAS_RELU_ROWS, [acts.y, acts.y, layer.b, H], N, N * H); // biasReluRows
  goodnessRows(acts.G, acts.y, N, H, math.goodness, par);
}

// Backward of the layer's FF loss over N rows (P positives first), after layerForward.
// Writes acts.dLdG, acts.dZ, layer.dW, layer.db; updates layer.peerMean; returns the FF loss.
// peerOut (H, optional, for the trace) receives the peer term (λ/N)·(m_j − m̄) added to dZ.
//
// forward:   z = x̂·W + b,   y = relu(z),   G_r = s·Σ_j y_rj²   (s = goodnessScale: 1 or 1/H)
//            L = (1/N) Σ_r L_r(G_r)         (ffLossRows: softplus(θ − G) or softplus(G − θ))
// dL/dG_r:   (1/N)·{ −(1 − p_r) positive, +p_r negative },  p_r = σ(G_r − θ)      [dLdG]
// dG/dz_rj:  2·s·y_rj · [z_rj > 0] = 2·s·y_rj, since y_rj = 0 wherever z_rj ≤ 0:
//            the ReLU gate is already inside y                                      [gate]
// dL/dz_rj = dLdG_r · 2·s·y_rj  (+ the peer term below)                             [dZ]
// dL/dW    = x̂ᵀ·dZ   (D, H),   dL/db = Σ_r dZ_r   (H)                             [dW, db]
//
// Peer normalisation (λ = math.peerNorm > 0), positive rows only: first the running mean
//   m_j ← μ·m_j + (1 − μ)·mean_{r<P} y_rj,
// then dZ_rj += (λ/N)·(m_j − mean_k m_k) for every positive row r, NOT gated by the ReLU, so a
// dead unit (m_j below the mean) is pushed up even where its z is negative, and an over-active
// one is pushed down. With m held constant this is exactly the gradient of the surrogate term
//   (λ/N) Σ_{r<P} Σ_j (m_j − m̄)·z_rj,
// which is what the finite-difference test checks.
export function layerBackward<T extends Floats>(
  acts: LayerActs<T>, layer: LayerParams<T>, N: number, P: number, math: LayerMath, matmul: MatmulFn<T>, peerOut?: Float64Array,
  par: RowRunner = INLINE_ROWS,
): number {
  const loss = layerBackwardDZ(acts, layer, N, P, math, peerOut, par);
  const { D, H } = layer;
  matmul(matView(layer.dW, D, H), transposed(matView(acts.xhat, N, D)), matView(acts.dZ, N, H)); // [dW]
  par.run(COLUMN_SUMS, [layer.db, acts.dZ, 0, N, H], H, N * H); // [db] columnSums
  return loss;
}

// The first half of layerBackward: [dLdG], [dZ] and the peer term; returns the FF loss. The
// supervised first layer takes its [dW, db] from here by a shared product (label-passes.ts).
export function layerBackwardDZ<T extends Floats>(
  acts: LayerActs<T>, layer: LayerParams<T>, N: number, P: number, math: LayerMath, peerOut?: Float64Array, par: RowRunner = INLINE_ROWS,
): number {
  const H = layer.H;
  const theta = thresholdFor(math.goodness, H, math.threshold);
  const loss = ffLossRows(acts.dLdG, acts.G, N, P, theta); // [dLdG]
  const twoS = 2 * goodnessScale(math.goodness, H);
  const y = acts.y, dZ = acts.dZ;
  par.run(SCALE_ROWS, [dZ, y, acts.dLdG, twoS, H], N, N * H); // [dZ] = (dLdG · 2s) · y   [gate]
  if (math.peerNorm > 0 && P > 0) addPeerNormalisation(dZ, y, layer.peerMean, N, P, H, math, peerOut, par);
  return loss;
}

// Peer normalisation (see layerBackward): update m (H) from the positive rows of y (N, H), then
// add the ungated (λ/N)·(m_j − m̄) to dZ (N, H) on rows 0..P-1 (and into peerOut (H), if given).
function addPeerNormalisation<T extends Floats>(
  dZ: T, y: T, m: T, N: number, P: number, H: number, math: LayerMath, peerOut: Float64Array | undefined, par: RowRunner,
): void {
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

const F = (a: RowArg): Floats => a as Floats;
const N = (a: RowArg): number => a as number;
/** [m, y, P, H, μ], units = columns: peerMeanColumns. */
export const PEER_MEAN_COLUMNS = rowTask('peerMeanColumns', (a, lo, hi) => peerMeanColumns(F(a[0]), F(a[1]), N(a[2]), N(a[3]), N(a[4]), lo, hi));
/** [dZ, m, m̄, k, H]: addPeerRows. */
export const ADD_PEER_ROWS = rowTask('addPeerRows', (a, lo, hi) => {
  const H = N(a[4]);
  addPeerRows(F(a[0]).subarray(lo * H, hi * H), F(a[1]), N(a[2]), N(a[3]), hi - lo, H);
});
