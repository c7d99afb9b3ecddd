// docs/DEFINITIONS.md in code: the definitions every Forward-Forward mode shares.
// Normalisation (rms | l2 | std), goodness (sum | mean) and its threshold θ, the per-row FF loss with its
// derivative dL/dG, and the stable softplus / sigmoid helpers. Sign convention: goodness is
// something a layer wants HIGH on positive rows and LOW on negative rows; the loss is minimised.
// docs/DEFINITIONS.md is the prose version of this file; keep the two in step.
// Notation: R = rows of a step (positives first, then negatives), H = layer width.
import type { Config } from '../../config/config.ts';
import { NORMALIZE_ROWS, SUM_SQUARES_ROWS, type Floats } from '../../linalg/rows.ts';
import { INLINE_ROWS, type RowRunner } from '../../linalg/row-runner.ts';

/** How a layer's input rows are normalised: Hinton's RMS, the PyTorch reference's L2, or standardisation (Self-Contrastive FF). */
export type Norm = Config['norm'];
/** Goodness of a row of activities y (H): Σ y² ('sum', θ = H) or Σ y² / H ('mean', θ = 2). */
export type Goodness = Config['goodness'];
/** A layer's loss: 'ff' per row against θ (ffLossRows), or 'symba' per (positive, negative) pair (symbaLossRows). */
export type LossKind = Config['loss'];

/** ε of the RMS normalisation: x / (ε + sqrt(mean x²)). Tiny: it only guards an all-zero row. */
export const RMS_EPS = 1e-8;
/** ε of the L2 normalisation: x / (ε + ‖x‖₂), as in the PyTorch reference. */
export const L2_EPS = 1e-4;
/** ε of standardisation: (x − mean) / (ε + std), as in the Self-Contrastive FF code. */
export const STD_EPS = 1e-10;

// out (R, C) = norm(x (R, C)); out may be x. par: the threads (default: this one).
export function normalizeRows(out: Floats, x: Floats, R: number, C: number, norm: Norm, par: RowRunner = INLINE_ROWS): void {
  const [eps, kind] = norm === 'rms' ? [RMS_EPS, 0] : norm === 'l2' ? [L2_EPS, 1] : [STD_EPS, 2];
  par.run(NORMALIZE_ROWS, [out, x, C, eps, kind], R, R * C);
}

/** The threshold θ: `override` when given, else H for 'sum' and 2 for 'mean'. */
export function thresholdFor(goodness: Goodness, H: number, override: number | null): number {
  if (override !== null) return override;
  return goodness === 'sum' ? H : 2;
}

/** dG/d(y_j²): 1 for 'sum', 1/H for 'mean'; so dG/dy_j = 2·y_j·goodnessScale. */
export function goodnessScale(goodness: Goodness, H: number): number {
  return goodness === 'sum' ? 1 : 1 / H;
}

// G (R) = goodness of each row of y (R, H). par: the threads (default: this one).
export function goodnessRows(G: Floats, y: Floats, R: number, H: number, goodness: Goodness, par: RowRunner = INLINE_ROWS): void {
  par.run(SUM_SQUARES_ROWS, [G, y, H], R, R * H);
  if (goodness === 'mean') for (let r = 0; r < R; r++) G[r] = G[r]! / H;
}

/** softplus(u) = log(1 + e^u), stable for large |u|. */
export function softplus(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}

/** σ(u) = 1 / (1 + e^−u), stable for large |u|. */
export function sigmoid(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

/** log σ(u) = −softplus(−u). */
export function logSigmoid(u: number): number {
  return -softplus(-u);
}

// The FF loss of R rows, rows 0..P-1 positive and P..R-1 negative; G (R) their goodness.
//   positive row: L_r = softplus(θ − G_r) = −log p_r,        p_r = σ(G_r − θ)
//   negative row: L_r = softplus(G_r − θ⁻) = −log (1 − p_r), p_r = σ(G_r − θ⁻)
// θ⁻ = thetaNeg is θ unless given (Self-Contrastive FF pushes positives above one threshold and
// negatives below another).
//   batch loss:   L = (1/R) Σ_r L_r   (the mean over all rows of the step)
// Writes dLdG (R) = dL/dG_r = (1/R) · { −(1 − p_r) on a positive row, +p_r on a negative row }
// and returns L. Minimising L pushes positive goodness above θ and negative goodness below it.
export function ffLossRows(dLdG: Floats, G: Floats, R: number, P: number, theta: number, thetaNeg = theta): number {
  let loss = 0;
  for (let r = 0; r < R; r++) {
    const u = G[r]! - (r < P ? theta : thetaNeg);
    if (r < P) {
      loss += softplus(-u); // softplus(θ − G)
      dLdG[r] = -sigmoid(-u) / R; // −(1 − p), computed without cancellation
    } else {
      loss += softplus(u); // softplus(G − θ)
      dLdG[r] = sigmoid(u) / R; // +p
    }
  }
  return loss / R;
}

// The SymBa loss (Lee & Song 2023) of R = 2B rows: rows 0..B-1 positive, B..2B-1 negative, and
// pair r = (row r, row B + r), the positive and the negative made from the same image.
//   pair loss:   ℓ_r = softplus(α·(G_{B+r} − G_r))     (no θ: only the pair's difference counts)
//   batch loss:  L = (1/B) Σ_r ℓ_r                      (the mean over the B pairs)
// With u_r = α·(G_{B+r} − G_r) and q_r = σ(u_r) (dsoftplus(u)/du = σ(u)):
//   dL/dG_r     = −(α/B)·q_r   (positive row)
//   dL/dG_{B+r} = +(α/B)·q_r   (negative row)
// equal and opposite on the two rows of a pair: the symmetric, balanced gradient of the name.
// Writes dLdG (R) and returns L. R must be even.
export function symbaLossRows(dLdG: Floats, G: Floats, R: number, alpha: number): number {
  if (R % 2 !== 0) throw new Error(`symbaLossRows: ${R} rows do not form (positive, negative) pairs`);
  const B = R / 2;
  let loss = 0;
  for (let r = 0; r < B; r++) {
    const u = alpha * (G[B + r]! - G[r]!);
    loss += softplus(u);
    const g = (alpha * sigmoid(u)) / B;
    dLdG[r] = -g;
    dLdG[B + r] = g;
  }
  return loss / B;
}
