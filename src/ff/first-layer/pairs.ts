// Self-Contrastive FF's first layer (src/ff/inputs/pairs.ts): x̂ of a row is the pair of two images
// side by side, [a | b]·[W; W] = (â + b̂)·W, then the plain z = x̂·W + b, y, G. Outside training
// (evaluation, the readout) each image is a positive pair with itself; a training step's 2B rows are
// its B images beside themselves (positives) and beside their partners (negatives).
import { layerForwardFromNormalised, layerGradients, matmulAddBias } from '../layer/layer.ts';
import { pairInputRows, positiveNegativePairRows } from '../inputs/pairs.ts';
import type { FirstLayer, FirstLayerForward } from './first-layer.ts';

export interface PairsFirstLayer {
  positive: FirstLayerForward; // R rows of x, each beside itself
  step: FirstLayer; // 2B rows from the B images of x: beside themselves, then beside images partners[r]
}

/**
 * The pair layer of passes of up to `rows` rows of D pixels. partners (B) are the step's negative
 * partners, drawn by the caller before each step; secondViews (B, D), if given, are the right halves
 * of the step's pairs (--views 2), else the images themselves.
 */
export function makePairsFirstLayer(rows: number, D: number, partners: Int32Array, secondViews: Float32Array | null): PairsFirstLayer {
  const self = new Int32Array(rows).map((_, r) => r); // a positive pair: row r beside row r
  const scratch = new Float32Array(2 * D);
  return {
    positive: {
      forward(ctx, layer, acts, x, R) {
        pairInputRows(acts.xhat, x, x, self, R, layer.D, ctx.math.norm, scratch);
        layerForwardFromNormalised(ctx, acts, layer, R);
      },
    },
    step: {
      forward(ctx, layer, acts, x, R) {
        positiveNegativePairRows(acts.xhat, { a: x, b: secondViews ?? x, self, partners, scratch }, R / 2, layer.D, ctx.math.norm);
        layerForwardFromNormalised(ctx, acts, layer, R);
      },
      observedZ(ctx, layer, acts, _x, R) {
        const z = new Float32Array(R * layer.H);
        matmulAddBias(z, acts.xhat, layer, R, ctx.mm);
        return z;
      },
      grads: (ctx, layer, acts, R) => layerGradients(ctx, layer, acts, R),
    },
  };
}
