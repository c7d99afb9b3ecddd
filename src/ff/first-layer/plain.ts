// The plain layer: x̂ = norm(x), z = x̂·W + b, y = relu(z), G = goodness(y) row by row, and its
// gradient [dW] = x̂ᵀ·dZ, [db] = Σ_r dZ_r (src/ff/layer/layer.ts). Every layer above the first is
// PLAIN_LAYER; the first is PLAIN_FIRST_LAYER, the same maths with its two products by ctx.inputMm
// (the products over x̂'s non-zeros, --sparse-input), unless a mode makes its rows another way
// (label-passes.ts, pairs.ts).
import { inputLayerContext } from '../context.ts';
import { layerForward, layerGradients } from '../layer/layer.ts';
import type { FirstLayer } from './first-layer.ts';

export const PLAIN_LAYER: FirstLayer = {
  forward: (ctx, layer, acts, x, R) => layerForward(ctx, acts, x, layer, R),
  observedZ: () => null,
  grads: (ctx, layer, acts, R) => layerGradients(ctx, layer, acts, R),
};

export const PLAIN_FIRST_LAYER: FirstLayer = {
  forward: (ctx, layer, acts, x, R) => layerForward(inputLayerContext(ctx), acts, x, layer, R),
  observedZ: () => null,
  grads: (ctx, layer, acts, R) => layerGradients(inputLayerContext(ctx), layer, acts, R),
};
