// Supervised FF's first layer from shared products (src/ff/label-passes.ts has the identities):
// rows that differ only in their label pixels share x_rest·W₁, one product per image.
// - evaluation's C label passes of n images, as one pass of C·n rows (makeAllLabelsFirstLayer);
// - a training step (makeSupervisedFirstLayer): prepare once (κ, x_rest·W₁, the label rows), then the
//   neutral rows, then the B positive and B negative rows, whose dW₁ is one product of B rows.
// With cfg.shortcuts = false the step's first layer is the plain one. B = images of the step,
// C = classes, H = the first layer's width.
import type { Config } from '../../config/config.ts';
import { COLUMN_SUMS, SCALE_ROWS, SUM_HALVES } from '../../linalg/rows.ts';
import { matView, transposed } from '../../linalg/view.ts';
import type { StepContext } from '../context.ts';
import { goodnessRows, normalizeRows } from '../layer/definitions.ts';
import type { LayerParams } from '../layer/layer.ts';
import { maskGradient } from '../inputs/receptive-field.ts';
import {
  FIRST_LAYER_ROWS, LABEL_GRAD_COLUMNS, LABEL_KAPPA, firstLayerZRows, labelSquares, labelWeightRows, makeAllLabelsScratch,
  makeSharedFirstLayer, restProduct, zeroLabelPixels,
} from '../label-passes.ts';
import type { FirstLayer, FirstLayerForward } from './first-layer.ts';
import { PLAIN_FIRST_LAYER } from './plain.ts';

/**
 * The first layer of evaluation's label passes for up to n images: a pass of R = C·n rows, block c
 * (rows c·n .. c·n+n−1) the n images of x (n, D) with label c written in at strength s.
 * x is modified: its label pixels are zeroed.
 */
export function makeAllLabelsFirstLayer(n: number, H: number, C: number, s: number): FirstLayerForward {
  const scratch = makeAllLabelsScratch(n, H, C);
  return {
    forward(ctx, layer, acts, images, R) {
      const { inputMm, par, math } = ctx, { D, b } = layer, { base, kappa, labelRows } = scratch, n = R / C;
      par.run(LABEL_KAPPA, [kappa, images, D, C, s * s, math.norm === 'l2' ? 1 : 0], n, n * D); // labelKappa
      zeroLabelPixels(images, n, D, C); // x_rest
      restProduct(inputMm, base, images, layer, n); // x_rest·W, once
      labelWeightRows(labelRows, layer, { C, s, neutral: 0 });
      for (let c = 0; c < C; c++) par.run(FIRST_LAYER_ROWS, [acts.y, c * n, base, kappa, labelRows, c, b, H], n, n * H);
      goodnessRows(acts.G, acts.y, R, H, math.goodness, par);
    },
  };
}

/** A supervised step's first layer: prepared once per step, then the neutral pass, then the FF pass. */
export interface SupervisedFirstLayer {
  readsRows: boolean; // whether it reads ws.input's rows (the plain layer); the shared one reads the images themselves
  prepare(ctx: StepContext, layer: LayerParams<Float32Array>, B: number): void; // before the neutral pass
  neutral: FirstLayerForward; // the B images with the neutral label
  ff: FirstLayer; // rows 0..B-1 the images with `labels`, B..2B-1 with `wrong`
}

/** The step's images (B, D), true labels and wrong labels, as the trainer holds them. */
export interface StepRows {
  images: Float32Array;
  labels: Int32Array;
  wrong: Int32Array;
}

/** cfg.shortcuts: the first layer of every row of an image from one product; else the plain layer. */
export function makeSupervisedFirstLayer(cfg: Config, H: number, C: number, rows: StepRows): SupervisedFirstLayer {
  if (!cfg.shortcuts) return { readsRows: true, prepare: () => {}, neutral: PLAIN_FIRST_LAYER, ff: PLAIN_FIRST_LAYER };
  const sh = makeSharedFirstLayer(cfg.batchSize, H, C);
  const { images, labels, wrong } = rows, s = cfg.labelStrength, neutral = cfg.neutralLabel;
  return {
    readsRows: false,
    // κ of both kinds of row, the shared product x_rest·W₁ (the head's update leaves W₁ unchanged),
    // the label rows. images (B, D) is modified: its label pixels are zeroed.
    prepare({ inputMm, par, math }, layer, B) {
      const { D } = layer, l2 = math.norm === 'l2' ? 1 : 0;
      par.run(LABEL_KAPPA, [sh.kappa, images, D, C, labelSquares(s, 1), l2], B, B * D); // labelKappa
      par.run(LABEL_KAPPA, [sh.kappaNeutral, images, D, C, labelSquares(neutral, C), l2], B, B * D);
      zeroLabelPixels(images, B, D, C); // x_rest
      restProduct(inputMm, sh.base, images, layer, B);
      labelWeightRows(sh.labelRows, layer, { C, s, neutral });
    },
    neutral: {
      forward({ par, math }, layer, acts, _x, B) {
        par.run(FIRST_LAYER_ROWS, [acts.y, 0, sh.base, sh.kappaNeutral, sh.labelRows, C, layer.b, H], B, B * H);
        goodnessRows(acts.G, acts.y, B, H, math.goodness, par);
      },
    },
    ff: {
      forward({ par, math }, layer, acts, _x, R) {
        const B = R / 2;
        par.run(FIRST_LAYER_ROWS, [acts.y, 0, sh.base, sh.kappa, sh.labelRows, labels, layer.b, H], B, B * H);
        par.run(FIRST_LAYER_ROWS, [acts.y, B, sh.base, sh.kappa, sh.labelRows, wrong, layer.b, H], B, B * H);
        goodnessRows(acts.G, acts.y, R, H, math.goodness, par);
      },
      // z = κ·(x_rest·W + ℓ·W) + b as the forward took it, and x̂ from the rows (bit-equal to the plain x̂).
      observedZ({ math }, layer, acts, x, R) {
        const B = R / 2, z = new Float32Array(R * H);
        firstLayerZRows(z, sh, labels, layer, B);
        firstLayerZRows(z.subarray(B * H), sh, wrong, layer, B);
        normalizeRows(acts.xhat, x, R, layer.D, math.norm);
        return z;
      },
      // layer.dW (D, H) and layer.db (H) over the 2B rows whose dZ (2B, H) is in acts, from the
      // identity in label-passes.ts. After the rows' forward: the images, their label pixels zeroed,
      // are scaled in place to κ⊙x_rest (x̂ without its label pixels), and sh.base is overwritten by
      // dZ_pos + dZ_neg.
      grads({ inputMm, par }, layer, acts, R) {
        const B = R / 2, { D, dW } = layer, dZ = acts.dZ, S = sh.base, lg = sh.labelGrad, rest = images;
        par.run(SCALE_ROWS, [rest, rest, sh.kappa, 1, D], B, B * D); // κ⊙x_rest: bit-equal to the plain x̂; label pixels stay 0
        par.run(SUM_HALVES, [S, dZ, B * H], B * H, B * H); // dZ_pos + dZ_neg
        inputMm(matView(dW, D, H), transposed(matView(rest, B, D)), matView(S, B, H)); // rows j ≥ C; rows < C come out 0
        par.run(LABEL_GRAD_COLUMNS, [lg, dZ, sh.kappa, labels, wrong, B, s, H], H, 2 * B * H);
        for (let i = 0; i < C * H; i++) dW[i] = lg[i]!;
        par.run(COLUMN_SUMS, [layer.db, dZ, 0, 2 * B, H], H, 2 * B * H); // columnSums
        if (layer.mask) maskGradient(dW, layer.mask); // [dW ⊙ M] (layer.ts)
      },
    },
  };
}
