// What the FF modes share around the layer math: the Trainer shape every mode implements
// (step on a batch, evaluate a split), the per-step statistics, one optimizer per layer,
// trainLayers — the local FF step of every layer on B positive rows followed by B negative rows —
// and trainHead, the softmax head's step.
// Supervised and unsupervised FF differ only in how those rows are made and how the head is fed.
import type { Config } from '../config/config.ts';
import type { Split } from '../data/dataset.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import { Adam, DEFAULT_ADAM } from '../optim/adam.ts';
import { SmoothedSgd } from '../optim/smoothed-sgd.ts';
import { INLINE_ROWS, type RowRunner } from '../linalg/row-runner.ts';
import { headBackward, headForward } from './layer/head.ts';
import { layerBackwardDZ, layerOutput } from './layer/layer.ts';
import type { FirstLayer } from './first-layer/first-layer.ts';
import { PLAIN_FIRST_LAYER, PLAIN_LAYER } from './first-layer/plain.ts';
import { headFeatures, type Network, type Workspace } from './network.ts';
import type { StepObserver } from './step-observer.ts';
import type { StepContext } from './context.ts';
import { applyLayerMask, drawMasksUpTo, makeDropout, type Dropout } from './inputs/dropout.ts';
import { makeShifter, type Shifter } from './inputs/shift.ts';
import type { Rng } from '../rng.ts';

/** Per-layer statistics of one step, summed by the caller over an epoch. */
export interface LayerStepStats {
  loss: number; // FF loss of the step (mean over its 2B rows); 0 for a layer not trained
  goodPos: number; // mean goodness of the positive rows
  goodNeg: number; // mean goodness of the negative rows
  pairErrors: number; // how many of the B (positive, negative) pairs have G_neg ≥ G_pos
}

export interface StepStats {
  layers: LayerStepStats[]; // one per layer (zeros for a layer a greedy step did not run)
  headLoss: number; // cross-entropy of the softmax head on this step's features
  rows: number; // B
}

/** Error fractions of the prediction methods a mode has (null where it has none). */
export interface TestErrors {
  goodness: number | null; // argmax over labels of the scored layers' goodness
  softmax: number | null; // the linear softmax head
}

export type Method = keyof TestErrors;

/**
 * What evaluate() shows an observer, chunk by chunk (the report's analysis listens here). Called
 * only when given: without one, evaluate costs what it always did. n = images in the chunk,
 * starting at image `start` of the split; C = classes.
 */
export interface EvalObserver {
  // Goodness prediction: scores (n, C) as the trainer ranks labels (argmax = its prediction), and
  // perLayer[l] (C·n), layer l's goodness of image r with label c at [c·n + r], for EVERY hidden
  // layer, scored or not (recurrent: averaged over the scored iterations).
  labelScores?(start: number, n: number, scores: Float32Array, perLayer: Float32Array[]): void;
  // Softmax prediction: the head's probabilities (n, C).
  headProbs?(start: number, n: number, probs: Float32Array): void;
}

/** One training step's batch: images order[start..start+B) of `split`, the learning rates, and which layers learn. */
export interface StepBatch {
  split: Split;
  order: Int32Array;
  start: number;
  B: number;
  lr: number; // the layers' learning rate
  headLr: number; // the head's
  only: number | null; // the greedy layer (0-based), -1 (no layer: the readout trains the head alone) or null (all)
}

export interface Trainer {
  net: Network;
  ws: Workspace;
  opt: { layers: Optimizer[]; head: Optimizer }; // one per layer and the head's (their state goes into checkpoints)
  /** One step on `batch`; `observer` sees it. */
  step(batch: StepBatch, observer?: StepObserver): StepStats;
  /** Error of each prediction method on the first `count` rows of `split` (or only of `methods`). */
  evaluate(split: Split, count: number, methods?: readonly Method[], observer?: EvalObserver): TestErrors;
}

/** Rows a workspace needs: 2B for a step; evaluation chunks (10 label blocks) fit in the same buffers. */
export function workspaceRows(cfg: Config): number {
  return Math.max(2 * cfg.batchSize, 1000);
}

/** The streams of a step's optional random draws: image shifts (--shift) and dropout masks (--dropout). */
export interface StepStreams {
  shift?: Rng;
  dropout?: Rng;
}

/** A trainer's shifter and dropout from cfg (each null when off); dropout masks for passes of 2B rows. */
export function makeAugmentation(cfg: Config, net: Network, streams: StepStreams): { shifter: Shifter | null; dropout: Dropout | null } {
  return {
    shifter: makeShifter(cfg.shift, streams.shift, net.widths[0]!),
    dropout: makeDropout(cfg.dropout, streams.dropout, 2 * cfg.batchSize, net.layers.map((l) => l.H)),
  };
}

/** One optimizer per layer (W with weight cost, b without) and one for the head; their updates run on par's threads. */
export function makeOptimizers(cfg: Config, net: Network, par: RowRunner = INLINE_ROWS): { layers: Optimizer[]; head: Optimizer } {
  const make = (sizes: number[], weightCost: number): Optimizer =>
    cfg.optimizer === 'adam'
      ? new Adam(DEFAULT_ADAM, sizes, par)
      : new SmoothedSgd({ smoothing: cfg.smoothing, weightCost }, sizes, [true, false], par);
  return {
    layers: net.layers.map((l) => make([l.W.length, l.b.length], cfg.weightCost)),
    head: make([net.head.W.length, net.head.b.length], cfg.headWeightCost),
  };
}

/** What trainLayers does on a step: B images (2B rows), the learning rate, which layers learn, and how. */
export interface LayerStep {
  B: number;
  lr: number;
  only: number | null; // the greedy layer (0-based), -1 (none) or null (all)
  first?: FirstLayer; // how layer 0 makes its 2B rows and its gradient (default: the plain layer, as every layer above, by ctx.inputMm)
  drop?: Dropout | null; // drops units of every layer's y after its forward (dropout.ts)
}

// The FF step of the layers on ws.input's 2B rows (rows 0..B-1 positive, B..2B-1 negative):
// each layer runs forward on the layer below's y (a constant for its gradient), then, if it is
// being trained (all layers, or only `only`), its local backward and optimizer update. Layers
// above `only` are not run, so their ws.acts are stale afterwards: a caller that reads them (the
// unsupervised head) must run them itself. Returns each layer's statistics. ctx.obs sees each layer
// after its forward and its backward, and each optimizer update. `first` computes layer 0's forward
// and weight gradient (src/ff/first-layer/). `drop`, if given, drops units of every layer's y after
// its forward (dropout.ts), before its statistics and backward.
export function trainLayers(ctx: StepContext, ws: Workspace, net: Network, opt: Optimizer[], step: LayerStep): LayerStepStats[] {
  const { math, obs } = ctx, { B, lr, only, first = PLAIN_FIRST_LAYER, drop } = step;
  const L = net.layers.length;
  const last = only ?? L - 1;
  const stats: LayerStepStats[] = [];
  let x = ws.input;
  for (let l = 0; l <= last; l++) {
    const layer = net.layers[l]!, acts = ws.acts[l]!;
    const path = l === 0 ? first : PLAIN_LAYER;
    path.forward(ctx, layer, acts, x, 2 * B);
    const z = obs?.onLayer ? path.observedZ(ctx, layer, acts, x, 2 * B) : null; // only for an observer
    if (drop) {
      drawMasksUpTo(drop, l, 2 * B); // unless drawn ahead, beside a product (queueMasks)
      applyLayerMask(drop, l, acts, 2 * B, math.goodness, ctx.par);
    }
    const view = obs?.onLayer
      ? { pass: 'ff' as const, t: 0, rows: 2 * B, positives: B, x, params: layer, acts, z, keep: drop?.keep[l] ?? null, loss: NaN, peer: null }
      : null;
    if (view) obs!.onLayer!(l, 'forward', view);
    const s: LayerStepStats = { loss: 0, goodPos: 0, goodNeg: 0, pairErrors: 0 };
    const G = acts.G;
    for (let r = 0; r < B; r++) {
      s.goodPos += G[r]! / B;
      s.goodNeg += G[B + r]! / B;
      if (G[B + r]! >= G[r]!) s.pairErrors++;
    }
    if (only === null || only === l) {
      const peer = view && math.peerNorm > 0 ? new Float64Array(layer.H) : undefined;
      s.loss = layerBackwardDZ(ctx, acts, layer, { N: 2 * B, P: B, peerOut: peer }); // [dLdG], [dZ] (layer.ts)
      path.grads(ctx, layer, acts, 2 * B); // [dW], [db]
      if (view) obs!.onLayer!(l, 'backward', { ...view, loss: s.loss, peer: peer ?? null });
      optimizerStep(ctx, opt[l]!, l, { params: [layer.W, layer.b], grads: [layer.dW, layer.db], lr });
    }
    stats.push(s);
    x = layerOutput(acts);
  }
  for (let l = last + 1; l < L; l++) stats.push({ loss: 0, goodPos: 0, goodNeg: 0, pairErrors: 0 });
  if (drop) {
    ctx.side.flush(); // queued draws left over are no-ops now (every mask up to `last` is drawn): none may outlive the pass
    drop.ahead = 0;
  }
  return stats;
}

/** The head's step: the B rows' true labels, its learning rate, and (recurrent) the activity it reads. */
export interface HeadBatch {
  labels: Int32Array;
  B: number;
  lr: number;
  activity?: Float32Array[]; // per layer (B, H_l); default: what each layer of ws.acts passes up
}

// One step of the softmax head on B rows: features from the scored layers' activity (default:
// their y in ws.acts; the recurrent net passes its states), probabilities into ws.probs, the
// cross-entropy gradient, and the head's optimizer update. ws.probs keeps the probabilities of
// the weights BEFORE the update (hard negatives are drawn from them). Returns the mean loss.
export function trainHead(ctx: StepContext, ws: Workspace, net: Network, opt: Optimizer, batch: HeadBatch): number {
  const { mm, obs } = ctx, { labels, B, lr: headLr, activity } = batch;
  headFeatures(ctx, ws, net, B, activity);
  headForward(ws.probs, ws.feats, net.head, B, mm);
  const view = obs?.onHead ? { rows: B, labels, feats: ws.feats, probs: ws.probs, dLogits: ws.dLogits, params: net.head, loss: NaN } : null;
  if (view) obs!.onHead!('forward', view);
  const loss = headBackward(ws, labels, net.head, B, mm);
  if (view) obs!.onHead!('backward', { ...view, loss });
  optimizerStep(ctx, opt, 'head', { params: [net.head.W, net.head.b], grads: [net.head.dW, net.head.db], lr: headLr });
  return loss;
}

/** One optimizer update: the tensors, their gradients and the learning rate. */
export interface Update {
  params: Float32Array[];
  grads: Float32Array[];
  lr: number;
}

/** opt.step(params, grads, lr), shown to ctx.obs before and after. */
export function optimizerStep(ctx: StepContext, opt: Optimizer, target: number | 'head', update: Update): void {
  const { params, grads, lr } = update, obs = ctx.obs;
  obs?.onOptimizer?.(target, 'before', opt, params, grads, lr);
  opt.step(params, grads, lr);
  obs?.onOptimizer?.(target, 'after', opt, params, grads, lr);
}
