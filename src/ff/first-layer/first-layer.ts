// Layer 0 of a pass, the one layer whose rows are made in more than one way: row by row from the
// input rows (plain.ts: x̂ = norm(x), z = x̂·W + b), from one shared product per image when rows differ
// only in their label pixels (label-passes.ts, supervised FF), or from two images side by side
// (pairs.ts, Self-Contrastive FF). forwardAll and trainLayers (network.ts, trainer.ts) take one of
// these objects; every layer above the first is the plain layer. R = rows of the pass.
import type { StepContext } from '../context.ts';
import type { LayerActs, LayerParams } from '../layer/layer.ts';

type Acts = LayerActs<Float32Array>;
type Params = LayerParams<Float32Array>;

/** How layer 0 of a pass that does not learn computes its activity (evaluation, the supervised neutral pass). */
export interface FirstLayerForward {
  /** acts.y and acts.G (and what the layer passes up) of layer 0 over the pass's R rows, from x, the pass's input rows (ws.input). */
  forward(ctx: StepContext, layer: Params, acts: Acts, x: Float32Array, R: number): void;
}

/** Layer 0 of a pass that learns: its forward, what an observer is shown of it, and its weight gradient. */
export interface FirstLayer extends FirstLayerForward {
  /**
   * After forward, only for an observer: z (R, H) as this path computed it, with acts.xhat filled;
   * null = the path's z is x̂·W + b row by row (the observer computes it from acts.xhat).
   */
  observedZ(ctx: StepContext, layer: Params, acts: Acts, x: Float32Array, R: number): Float32Array | null;
  /** layer.dW (masked by its receptive fields) and layer.db from acts.dZ of the R rows, after forward. */
  grads(ctx: StepContext, layer: Params, acts: Acts, R: number): void;
}
