// Adam (Kingma & Ba 2015), bias-corrected, one (m, v) state per parameter tensor.
// Sign convention: the gradient is of a loss to MINIMISE, so parameters move against it.
// Arithmetic is in JS doubles, stored to float32 (params, m, v), so results are deterministic and
// the same on every machine. The learning rate comes from the caller on every step (schedule.ts).
// Deliberately absent: weight decay / AdamW, AMSGrad, gradient clipping.
// Letters: n = number of values in one parameter tensor.
import { checkSizes, checkStepArgs, copyStateTensors, type Optimizer } from './optimizer.ts';
import { INLINE_ROWS, rowTask, type RowRunner } from '../linalg/row-runner.ts';
import { sharedFloat32 } from '../linalg/shared-floats.ts';

export interface AdamConfig {
  /** Decay of the first-moment (mean of g) estimate m; 0.9. */
  beta1: number;
  /** Decay of the second-moment (mean of g²) estimate v; 0.999. */
  beta2: number;
  /** Added to sqrt(v̂) in the denominator, so a zero gradient gives a zero step; 1e-8. */
  eps: number;
}

/** The defaults of the Adam paper (Kingma and Ba), used by every FF recipe here. */
export const DEFAULT_ADAM: Readonly<AdamConfig> = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** t = number of steps taken (the next step is t + 1); m, v one float32 tensor per parameter. */
export type AdamState = { t: number; m: Float32Array[]; v: Float32Array[] };

/**
 * One Adam step on one tensor, in place on param, m and v (grad is read only).
 * param, m, v, grad are all (n); t >= 1 is the number of this step, counting from 1.
 */
export function adamUpdateInPlace(
  param: Float32Array,
  m: Float32Array,
  v: Float32Array,
  grad: Float32Array,
  t: number,
  lr: number,
  cfg: AdamConfig,
): void {
  const n = param.length;
  if (m.length !== n || v.length !== n || grad.length !== n) {
    throw new Error(`adamUpdateInPlace: param (${n}), m (${m.length}), v (${v.length}), grad (${grad.length}) differ`);
  }
  if (!Number.isSafeInteger(t) || t < 1) throw new Error(`adamUpdateInPlace: step t must be an integer >= 1, got ${t}`);
  const { beta1, beta2, eps } = cfg;
  const c1 = 1 - Math.pow(beta1, t); // bias correction of m: 1 − β1^t
  const c2 = 1 - Math.pow(beta2, t); // bias correction of v: 1 − β2^t
  for (let i = 0; i < n; i++) {
    const g = grad[i]!; // g = dLoss/dp for this value
    const mi = beta1 * m[i]! + (1 - beta1) * g; // m ← β1·m + (1 − β1)·g
    const vi = beta2 * v[i]! + (1 - beta2) * g * g; // v ← β2·v + (1 − β2)·g²
    const mHat = mi / c1; // m̂ = m / (1 − β1^t)
    const vHat = vi / c2; // v̂ = v / (1 − β2^t)
    param[i] = param[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps); // p ← p − lr·m̂ / (sqrt(v̂) + ε)
    m[i] = mi; // stored as float32; this step used the unrounded double
    v[i] = vi; // stored as float32; this step used the unrounded double
  }
}

/** [param, m, v, grad, t, lr, β1, β2, ε], units = values: adamUpdateInPlace on a range. */
export const ADAM_UPDATE = rowTask<[
  param: Float32Array, m: Float32Array, v: Float32Array, grad: Float32Array, t: number, lr: number, β1: number, β2: number, ε: number,
]>('adamUpdate', (a, lo, hi) => {
  const [param, m, v, grad, t, lr, beta1, beta2, eps] = a;
  adamUpdateInPlace(param.subarray(lo, hi), m.subarray(lo, hi), v.subarray(lo, hi), grad.subarray(lo, hi), t, lr, { beta1, beta2, eps });
});

/** Adam over a fixed list of parameter tensors; the moments start at zero (in shared memory). */
export class Adam implements Optimizer {
  private readonly cfg: AdamConfig;
  private readonly sizes: readonly number[];
  private readonly par: RowRunner;
  private t = 0;
  private m: Float32Array[];
  private v: Float32Array[];

  /** sizes[i] = number of values in parameter tensor i, in the order `step` will receive them; par runs the updates. */
  constructor(cfg: AdamConfig, sizes: readonly number[], par: RowRunner = INLINE_ROWS) {
    const { beta1, beta2, eps } = cfg;
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new Error(`Adam: beta1 and beta2 must be in [0, 1), got ${beta1} and ${beta2}`);
    }
    if (!(eps > 0 && Number.isFinite(eps))) throw new Error(`Adam: eps must be finite and > 0, got ${eps}`);
    checkSizes('Adam', sizes);
    this.cfg = { beta1, beta2, eps };
    this.sizes = [...sizes];
    this.par = par;
    this.m = sizes.map((n) => sharedFloat32(n));
    this.v = sizes.map((n) => sharedFloat32(n));
  }

  step(params: Float32Array[], grads: Float32Array[], lr: number): void {
    checkStepArgs('Adam', this.sizes, params, grads, lr);
    this.t += 1;
    const { beta1, beta2, eps } = this.cfg;
    for (let i = 0; i < params.length; i++) {
      const n = params[i]!.length;
      this.par.run(ADAM_UPDATE, [params[i]!, this.m[i]!, this.v[i]!, grads[i]!, this.t, lr, beta1, beta2, eps], n, 8 * n);
    }
  }

  /** A copy: changing it does not change the optimiser. */
  state(): AdamState {
    return { t: this.t, m: this.m.map((a) => Float32Array.from(a)), v: this.v.map((a) => Float32Array.from(a)) };
  }

  /** Restore a state saved by `state()` (copied in; sizes must match). */
  load(s: AdamState): void {
    if (!Number.isSafeInteger(s.t) || s.t < 0) throw new Error(`Adam: state.t must be an integer >= 0, got ${s.t}`);
    const m = copyStateTensors('Adam', 'm', this.sizes, s.m);
    const v = copyStateTensors('Adam', 'v', this.sizes, s.v);
    this.t = s.t;
    this.m = m;
    this.v = v;
  }
}
