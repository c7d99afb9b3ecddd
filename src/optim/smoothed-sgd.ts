// Hinton's update rule from his Matlab FF code: gradient descent on a smoothed gradient, plus an
// L2 weight cost:  g̃ ← s·g̃ + (1 − s)·g ;  W ← W − lr·(g̃ + wc·W)   (s = 0.9, wc = 0.001).
// The weight cost is added after smoothing (it is not smoothed) and applies only to the tensors
// whose `decay` flag is true. Hinton's code applies it to weights and not to biases, so that is
// the intended use (decay = true for W, false for b); a tensor with decay = false gets wc = 0.
// Sign convention: g is the gradient of a loss to MINIMISE (Hinton ascends goodness: same rule).
import { checkSizes, checkStepArgs, copyStateTensors, type Optimizer } from './optimizer.ts';
import { INLINE_ROWS, rowTask, type RowRunner } from '../linalg/row-runner.ts';
import { sharedFloat32 } from '../linalg/shared-floats.ts';

export interface SmoothedSgdConfig {
  /** Fraction s of the old smoothed gradient kept each step (Hinton's `delay`); 0.9. */
  smoothing: number;
  /** Weight cost wc: the L2 penalty's gradient wc·W is added to g̃ for tensors with decay; 0.001. */
  weightCost: number;
}

/** Hinton's values for the FF layers (his softmax head uses weightCost 0.003, lr 0.1). */
export const HINTON_SGD: Readonly<SmoothedSgdConfig> = { smoothing: 0.9, weightCost: 0.001 };

/** smoothed = one float32 tensor g̃ per parameter tensor, starting at zero. */
export type SmoothedSgdState = { smoothed: Float32Array[] };

/**
 * One smoothed-SGD step on one tensor, in place on param and smoothed (grad is read only).
 * param, smoothed, grad are all (n). wc = 0 gives plain smoothed SGD, exactly.
 */
export function smoothedSgdUpdateInPlace(
  param: Float32Array,
  smoothed: Float32Array,
  grad: Float32Array,
  lr: number,
  smoothing: number,
  wc: number,
): void {
  const n = param.length;
  if (smoothed.length !== n || grad.length !== n) {
    throw new Error(`smoothedSgdUpdateInPlace: param (${n}), smoothed (${smoothed.length}), grad (${grad.length}) differ`);
  }
  const s = smoothing;
  for (let i = 0; i < n; i++) {
    const gs = s * smoothed[i]! + (1 - s) * grad[i]!; // g̃ ← s·g̃ + (1 − s)·g
    param[i] = param[i]! - lr * (gs + wc * param[i]!); // W ← W − lr·(g̃ + wc·W)
    smoothed[i] = gs; // stored as float32; this step used the unrounded double
  }
}

/** [param, smoothed, grad, lr, smoothing, wc], units = values: smoothedSgdUpdateInPlace on a range. */
export const SMOOTHED_SGD_UPDATE = rowTask<[
  param: Float32Array, smoothed: Float32Array, grad: Float32Array, lr: number, smoothing: number, wc: number,
]>('smoothedSgdUpdate', (a, lo, hi) => {
  const [param, smoothed, grad, lr, smoothing, wc] = a;
  smoothedSgdUpdateInPlace(param.subarray(lo, hi), smoothed.subarray(lo, hi), grad.subarray(lo, hi), lr, smoothing, wc);
});

/** Smoothed SGD over a fixed list of parameter tensors, with weight cost per tensor (state in shared memory). */
export class SmoothedSgd implements Optimizer {
  private readonly cfg: SmoothedSgdConfig;
  private readonly sizes: readonly number[];
  private readonly decay: readonly boolean[];
  private readonly par: RowRunner;
  private smoothed: Float32Array[];

  /**
   * sizes[i] = number of values in parameter tensor i, in the order `step` will receive them;
   * decay[i] = whether the weight cost applies to tensor i (true for weights, false for biases);
   * par runs the updates.
   */
  constructor(cfg: SmoothedSgdConfig, sizes: readonly number[], decay: readonly boolean[], par: RowRunner = INLINE_ROWS) {
    const { smoothing, weightCost } = cfg;
    if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`SmoothedSgd: smoothing must be in [0, 1), got ${smoothing}`);
    if (!(weightCost >= 0 && Number.isFinite(weightCost))) {
      throw new Error(`SmoothedSgd: weightCost must be finite and >= 0, got ${weightCost}`);
    }
    checkSizes('SmoothedSgd', sizes);
    if (decay.length !== sizes.length) {
      throw new Error(`SmoothedSgd: ${sizes.length} tensors but ${decay.length} decay flags`);
    }
    this.cfg = { smoothing, weightCost };
    this.sizes = [...sizes];
    this.decay = [...decay];
    this.par = par;
    this.smoothed = sizes.map((n) => sharedFloat32(n));
  }

  step(params: Float32Array[], grads: Float32Array[], lr: number): void {
    checkStepArgs('SmoothedSgd', this.sizes, params, grads, lr);
    const { smoothing, weightCost } = this.cfg;
    for (let i = 0; i < params.length; i++) {
      const wc = this.decay[i] ? weightCost : 0; // no weight cost on tensors without decay (biases)
      const n = params[i]!.length;
      this.par.run(SMOOTHED_SGD_UPDATE, [params[i]!, this.smoothed[i]!, grads[i]!, lr, smoothing, wc], n, 4 * n);
    }
  }

  /** A copy: changing it does not change the optimiser. */
  state(): SmoothedSgdState {
    return { smoothed: this.smoothed.map((a) => Float32Array.from(a)) };
  }

  /** Restore a state saved by `state()` (copied in; sizes must match). */
  load(s: SmoothedSgdState): void {
    this.smoothed = copyStateTensors('SmoothedSgd', 'smoothed', this.sizes, s.smoothed);
  }
}
