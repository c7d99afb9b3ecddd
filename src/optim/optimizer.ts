// The one interface a trainer holds an optimiser behind: Adam (adam.ts) or Hinton's smoothed SGD
// (smoothed-sgd.ts). An optimiser owns its per-tensor state (moments, smoothed gradients); the
// caller owns the parameters and gradients, and passes the learning rate of every step (from
// schedule.ts), so no optimiser config carries a learning rate. Tensor i of `params` pairs with
// tensor i of `grads` and with state slot i, in the order and sizes fixed at construction.
// It knows nothing of layers or names; a checkpoint stores `state()` next to the parameters.
import { sharedCopy32 } from '../linalg/shared-floats.ts';

export interface Optimizer {
  /** Update every params[i] in place from grads[i] at learning rate lr (grads are not modified). */
  step(params: Float32Array[], grads: Float32Array[], lr: number): void;
  /** A copy of the optimiser state (step count, moments, ...), for checkpoints and tests. */
  state(): OptimizerState;
  /** Restore a state returned by `state()` of an optimiser built alike (copied in; sizes checked). */
  load(s: OptimizerState): void;
}

/** An optimiser's state: step counters (numbers) and per-tensor buffers (one Float32Array per parameter tensor). */
export type OptimizerState = Record<string, number | Float32Array[]>;

/** Check the sizes fixed at construction: positive or zero integers, at least one tensor. */
export function checkSizes(who: string, sizes: readonly number[]): void {
  if (sizes.length === 0) throw new Error(`${who}: no parameter tensors`);
  for (let i = 0; i < sizes.length; i++) {
    const n = sizes[i]!;
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${who}: size of tensor ${i} is ${n}, not a length`);
  }
}

/** Check one step's arguments against the sizes fixed at construction; throw naming the tensor. */
export function checkStepArgs(
  who: string,
  sizes: readonly number[],
  params: readonly Float32Array[],
  grads: readonly Float32Array[],
  lr: number,
): void {
  if (params.length !== sizes.length || grads.length !== sizes.length) {
    throw new Error(`${who}: built for ${sizes.length} tensors, got ${params.length} params and ${grads.length} grads`);
  }
  for (let i = 0; i < sizes.length; i++) {
    if (params[i]!.length !== sizes[i] || grads[i]!.length !== sizes[i]) {
      throw new Error(
        `${who}: tensor ${i} has ${sizes[i]} values, got param of ${params[i]!.length} and grad of ${grads[i]!.length}`,
      );
    }
  }
  if (!Number.isFinite(lr) || lr < 0) throw new Error(`${who}: learning rate must be finite and >= 0, got ${lr}`);
}

/** Copy a list of state tensors, checking their lengths against `sizes` (for restoring a state). */
export function copyStateTensors(
  who: string,
  field: string,
  sizes: readonly number[],
  tensors: readonly Float32Array[],
): Float32Array[] {
  if (tensors.length !== sizes.length) {
    throw new Error(`${who}: state.${field} has ${tensors.length} tensors, expected ${sizes.length}`);
  }
  return tensors.map((t, i) => {
    if (t.length !== sizes[i]) {
      throw new Error(`${who}: state.${field}[${i}] has ${t.length} values, expected ${sizes[i]}`);
    }
    return sharedCopy32(t); // in shared memory, as a fresh optimiser's state is
  });
}
