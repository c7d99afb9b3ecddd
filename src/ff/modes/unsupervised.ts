// Unsupervised Forward-Forward: positives are real images, negatives are hybrid images (two
// images of the batch stitched by a blurred random mask, src/ff/inputs/masks.ts), or, with
// cfg.contrast = 'scff', Self-Contrastive FF pairs (src/ff/inputs/pairs.ts: an image beside itself
// against an image beside another one; with cfg.views = 2 an image's view beside a second view
// of it, each shifted by its own draw); no label touches the FF layers. A linear softmax head on
// the normalised activities of the scored layers (default: the last three) is trained ALONGSIDE
// the layers on each step's positive rows, with those activities as constants (no gradient
// reaches the layers). Evaluation: one pass, then the head.
// B = images per step, D0 = pixels, C = classes.
import type { Config } from '../../config/config.ts';
import { gatherLabels, gatherRows } from '../../data/batch.ts';
import { evaluateInChunks, type ChunkScorer } from '../evaluate.ts';
import type { Rng } from '../../rng.ts';
import { headForward } from '../layer/head.ts';
import { drawPairPartners } from '../inputs/pairs.ts';
import type { FirstLayer, FirstLayerForward } from '../first-layer/first-layer.ts';
import { makePairsFirstLayer } from '../first-layer/pairs.ts';
import { PLAIN_FIRST_LAYER } from '../first-layer/plain.ts';
import { queueMasks } from '../inputs/dropout.ts';
import { makeHybridBatch } from '../inputs/masks.ts';
import { forwardAll, headFeatures, makeWorkspace, type Network } from '../network.ts';
import type { StepObserver } from '../step-observer.ts';
import { shiftStepImages } from '../inputs/shift.ts';
import { makeStepContext, withObserver, type TrainerBackend } from '../context.ts';
import {
  makeAugmentation, makeOptimizers, trainHead, trainLayers, workspaceRows, type StepBatch, type StepStats, type StepStreams, type Trainer,
} from '../trainer.ts';

/** Blurs of each mask (docs/DEFINITIONS.md, "Unsupervised FF masks"). */
export const MASK_BLURS = 6;

/** The images a trainer sees: classes, and each image's rows × cols (the hybrids' masks are made at that size). */
export interface ImageShape {
  classes: number;
  rows: number;
  cols: number;
}

// backend.par: the threads of the work around the products (the backend's rows; default: the calling thread).
// streams.masks draws the hybrids' masks or the pairs' partners.
export function makeUnsupervisedTrainer(
  cfg: Config, net: Network, images: ImageShape, backend: TrainerBackend, streams: StepStreams & { masks: Rng },
): Trainer {
  const ctx = makeStepContext(cfg, backend);
  const { mm, par } = ctx, maskRng = streams.masks;
  const { classes, rows: imageRows, cols: imageCols } = images;
  const scff = cfg.contrast === 'scff';
  const ws = makeWorkspace(net, workspaceRows(cfg), { act: cfg.act });
  const opt = makeOptimizers(cfg, net, par);
  const D0 = net.widths[0]!, C = classes, B0 = cfg.batchSize;
  const labels = new Int32Array(ws.rows);
  const masks = new Float32Array(B0 * D0); // (B, D0) this step's masks
  const maskScratch = new Float32Array(D0); // (rows, cols)
  const { shifter, dropout } = makeAugmentation(cfg, net, streams);
  const partners = new Int32Array(B0); // scff: negative pair r = image r beside image partners[r]
  // scff with --views 2: (B, D0) the second views, the right halves of the pairs; null = the images themselves.
  const secondViews = scff && cfg.views === 2 ? new Float32Array(B0 * D0) : null;
  // scff: the first layer reads pairs (first-layer/pairs.ts): in a step, of the B images in rows
  // 0..B-1 of ws.input; elsewhere (evaluation, the readout) each image beside itself.
  const pairs = scff ? makePairsFirstLayer(ws.rows, D0, partners, secondViews) : null;
  const reading: FirstLayerForward = pairs?.positive ?? PLAIN_FIRST_LAYER; // layer 0 of a pass that does not learn

  function step(batch: StepBatch, obs?: StepObserver): StepStats {
    const { split, order, start, B, lr, headLr, only } = batch, c = withObserver(ctx, obs);
    // Rows 0..B-1: the images (positives). Rows B..2B-1: their hybrids (negatives).
    gatherRows(ws.input, split, order, start, B);
    gatherLabels(labels, split, order, start, B);
    obs?.onBatch?.(order.subarray(start, start + B), labels.subarray(0, B), ws.input.subarray(0, B * D0));
    // --views 2, in a step where layers learn: the second views start as a copy of the images and
    // are shifted after the first views, by draws of their own.
    const twoViews = secondViews !== null && only !== -1;
    if (twoViews) secondViews.set(ws.input.subarray(0, B * D0));
    shiftStepImages(shifter, ws.input, batch, obs); // --shift: the hybrids or pairs are made of the shifted images
    if (twoViews) shiftStepImages(shifter, secondViews, batch, obs, 2);
    if (dropout) queueMasks(dropout, only ?? net.layers.length - 1, 2 * B, c.side); // --dropout: drawn beside the first products
    let first: FirstLayer = PLAIN_FIRST_LAYER;
    if (only === -1) {
      // The readout (the head alone): no layer learns, so no negative rows are made.
    } else if (scff) {
      // Rows B..2B-1 are not read (the pairs come from rows 0..B-1); an observer sees each
      // negative's partner image there (its second view with --views 2).
      const k = drawPairPartners(partners, B, maskRng);
      obs?.onPairs?.(partners.subarray(0, B), k);
      const right = secondViews ?? ws.input;
      if (obs?.onRows) for (let r = 0; r < B; r++) ws.input.set(right.subarray(partners[r]! * D0, (partners[r]! + 1) * D0), (B + r) * D0);
      first = pairs!.step;
    } else {
      const hybridPartners = obs?.onHybrids ? new Int32Array(B) : undefined;
      const positives = ws.input.subarray(0, B * D0), hybrids = ws.input.subarray(B * D0, 2 * B * D0);
      makeHybridBatch(hybrids, masks.subarray(0, B * D0), maskScratch, positives, B, imageRows, imageCols, MASK_BLURS, maskRng, hybridPartners);
      if (hybridPartners) obs!.onHybrids!(masks.subarray(0, B * D0), hybridPartners);
    }
    obs?.onRows?.('ff', ws.input, 2 * B, null);
    const layers = trainLayers(c, ws, net, opt.layers, { B, lr, only, first, drop: dropout });
    // Greedy: trainLayers stopped at layer `only`; the head reads every scored layer, so the
    // layers above it run forward on the positive rows now (from layer only's y of this step).
    if (only !== null && only + 1 < net.layers.length) forwardAll(c, ws, net, B, { first: reading, from: only + 1 });
    // The head learns from the positive rows' activities of this step's forward pass (weights
    // before the update): features are constants for it.
    const headLoss = trainHead(c, ws, net, opt.head, { labels, B, lr: headLr });
    return { layers, headLoss, rows: B };
  }

  // Evaluation in chunks of n images (evaluate.ts): one pass, then the head (the only method).
  const scorer: ChunkScorer = {
    n: ws.rows, C, labels,
    softmax({ split, order, start, n }) {
      gatherRows(ws.input, split, order, start, n);
      forwardAll(ctx, ws, net, n, { first: reading });
      headFeatures(ctx, ws, net, n);
      headForward(ws.probs, ws.feats, net.head, n, mm);
      return ws.probs;
    },
  };
  const evaluate: Trainer['evaluate'] = (split, count, _methods, observer) => evaluateInChunks(scorer, split, count, ['softmax'], observer);

  return { net, ws, opt, step, evaluate };
}
