// Supervised Forward-Forward: one training step and the two evaluations. step() below is the whole
// step in the order it computes: the batch; a neutral-label pass that trains the softmax head (and,
// for hard negatives, proposes the wrong labels); then every layer (or, greedy, the one being
// trained) takes its local FF step on B positive rows (true label written in) and B negative rows
// (a wrong label), all at once. Layer 0 of both passes is first-layer/label-passes.ts (one product
// per image, cfg.shortcuts) or the plain layer; the layer maths and its derivation: layer/layer.ts.
// Evaluation: goodness summed over the scored layers for each of the C labels (argmax), and the
// one-pass softmax head. B = images per step, C = classes, D0 = pixels.
import type { Config } from '../../config/config.ts';
import { gatherLabels, gatherRows } from '../../data/batch.ts';
import { evaluateInChunks, type ChunkScorer } from '../evaluate.ts';
import type { Rng } from '../../rng.ts';
import { headForward } from '../layer/head.ts';
import { drawWrongLabels } from '../inputs/negatives.ts';
import { forwardAll, headFeatures, makeWorkspace, type Network } from '../network.ts';
import { overlayNeutral, overlayPositiveNegative } from '../inputs/overlay.ts';
import { makeAllLabelsFirstLayer, makeSupervisedFirstLayer } from '../first-layer/label-passes.ts';
import { sharedFloat32, sharedInt32 } from '../../linalg/shared-floats.ts';
import type { Pass, StepObserver } from '../step-observer.ts';
import { shiftStepImages } from '../inputs/shift.ts';
import { queueMasks } from '../inputs/dropout.ts';
import { makeStepContext, withObserver, type TrainerBackend } from '../context.ts';
import {
  makeAugmentation, makeOptimizers, trainHead, trainLayers, workspaceRows, type StepBatch, type StepStats, type StepStreams, type Trainer,
} from '../trainer.ts';

// backend.par: the threads of the work around the products (the backend's rows; default: the calling thread).
// streams.negatives draws the wrong labels.
export function makeSupervisedTrainer(
  cfg: Config, net: Network, classes: number, backend: TrainerBackend, streams: StepStreams & { negatives: Rng },
): Trainer {
  const ctx = makeStepContext(cfg, backend);
  const { mm, par } = ctx, negRng = streams.negatives;
  const ws = makeWorkspace(net, workspaceRows(cfg));
  const opt = makeOptimizers(cfg, net, par);
  const D0 = net.widths[0]!, C = classes;
  const images = sharedFloat32(cfg.batchSize * D0); // (B, D0) pixels of the step
  const labels = sharedInt32(ws.rows); // true labels (B)
  const wrong = sharedInt32(ws.rows); // wrong labels (B)
  const scores = new Float32Array(ws.rows * C); // evaluation scores
  // Evaluation's C label passes: the first layer of all of them from one product per image.
  const allLabels = makeAllLabelsFirstLayer(Math.floor(ws.rows / C), net.layers[0]!.H, C, cfg.labelStrength);
  // The step's shortcut: the first layer of the neutral, positive and negative rows of an image from
  // one product (first-layer/label-passes.ts); cfg.shortcuts = false runs every row through the plain layer.
  const first = makeSupervisedFirstLayer(cfg, net.layers[0]!.H, C, { images, labels, wrong });
  const { shifter, dropout } = makeAugmentation(cfg, net, streams);

  // One training step on images order[start..start+B) of split, in the order it computes.
  function step(batch: StepBatch, obs?: StepObserver): StepStats {
    const { B, lr, headLr, only } = batch, c = withObserver(ctx, obs);
    takeBatch(batch, obs); // images (B, D0) and their labels; --shift: moved before any label is written
    if (dropout) queueMasks(dropout, only ?? net.layers.length - 1, 2 * B, c.side); // --dropout: drawn beside the neutral pass's products

    // 1. Neutral pass: train the head on the scored layers' normalised activities; its
    //    probabilities (before this update) propose the hard wrong labels.
    writeRows('neutral', B, obs);
    first.prepare(c, net.layers[0]!, B); // shared: κ and x_rest·W₁ once for the step (the head's update leaves W₁ unchanged)
    forwardAll(c, ws, net, B, { first: first.neutral });
    const headLoss = trainHead(c, ws, net, opt.head, { labels, B, lr: headLr });
    proposeWrongLabels(B, obs); // wrong (B) from the head's probabilities ws.probs

    // 2. FF: rows 0..B-1 positive (true label), rows B..2B-1 negative (wrong label); every layer's local step.
    writeRows('ff', B, obs);
    const layers = trainLayers(c, ws, net, opt.layers, { B, lr, only, first: first.ff, drop: dropout }); // shared: consumes images
    return { layers, headLoss, rows: B };
  }

  // images (B, D0) and labels (B) of the step, as gathered; --shift moves the images (draws from its stream).
  function takeBatch({ split, order, start, B }: StepBatch, obs: StepObserver | undefined): void {
    gatherRows(images, split, order, start, B);
    gatherLabels(labels, split, order, start, B);
    obs?.onBatch?.(order.subarray(start, start + B), labels.subarray(0, B), images.subarray(0, B * D0));
    shiftStepImages(shifter, images, { split, B }, obs);
  }

  // ws.input's rows of a pass: the B images with the neutral label, or the 2B positive and negative
  // rows. The shared first layer reads `images`, not ws.input: the rows are written only for the
  // plain layer or for an observer.
  function writeRows(pass: Pass, B: number, obs: StepObserver | undefined): void {
    if (first.readsRows || obs) {
      if (pass === 'neutral') overlayNeutral(ws.input, images, B, D0, C, cfg.neutralLabel);
      else overlayPositiveNegative(ws.input, images, labels, wrong, B, D0, C, cfg.labelStrength);
    }
    obs?.onRows?.(pass, ws.input, pass === 'neutral' ? B : 2 * B, null);
  }

  // wrong (B): a wrong label per image, hard (from the head's probabilities) or random (negatives.ts).
  function proposeWrongLabels(B: number, obs: StepObserver | undefined): void {
    const u = obs?.onNegatives ? new Float64Array(B) : undefined;
    drawWrongLabels(cfg.negatives, wrong, labels, ws.probs, B, C, negRng, u);
    if (u) obs!.onNegatives!(u, wrong.subarray(0, B), ws.probs);
  }

  // Evaluation in chunks of n images (evaluate.ts). Goodness: the C label passes of a chunk run as
  // one pass of C·n rows (block c = the chunk with label c written in); score[r, c] = Σ_{scored l} G_l.
  // Softmax: one neutral pass of the chunk, then the head.
  const scorer: ChunkScorer = {
    n: Math.floor(ws.rows / C), C, labels,
    softmax({ split, order, start, n }) {
      gatherRows(ws.input, split, order, start, n);
      overlayNeutral(ws.input, ws.input, n, D0, C, cfg.neutralLabel);
      forwardAll(ctx, ws, net, n);
      headFeatures(ctx, ws, net, n);
      headForward(ws.probs, ws.feats, net.head, n, mm);
      return ws.probs;
    },
    goodness({ split, order, start, n }, layers) {
      // The first layer of all C blocks comes from one product (label-passes.ts); the layers above run on C·n rows.
      gatherRows(ws.input, split, order, start, n);
      // Layers above the last scored one do not score; an observer sees every layer's goodness.
      const upTo = layers ? net.layers.length : net.scored[net.scored.length - 1]! + 1;
      forwardAll(ctx, ws, net, C * n, { first: allLabels, upTo });
      scores.fill(0);
      for (const l of net.scored) {
        const G = ws.acts[l]!.G;
        for (let c = 0; c < C; c++) for (let r = 0; r < n; r++) scores[r * C + c]! += G[c * n + r]!;
      }
      return { scores, perLayer: layers ? ws.acts.map((a) => a.G) : null };
    },
  };
  const evaluate: Trainer['evaluate'] = (split, count, methods = ['goodness', 'softmax'], observer) =>
    evaluateInChunks(scorer, split, count, methods, observer);

  return { net, ws, opt, step, evaluate };
}
