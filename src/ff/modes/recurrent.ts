// Recurrent Forward-Forward with top-down connections (Hinton 2022, §3.4).
// The image is a static video: layer 0 is the image, hidden layers 1..L, layer L+1 the one-hot
// label, clamped. Every iteration, each hidden layer reads the normalised states of BOTH its
// neighbours from the previous iteration, z_l(t) = [x̂_{l−1} | x̂_{l+1}]·[U_l; V_l] + b_l, and all
// layers update at once with damping: h_l(t) = d·h_l(t−1) + (1 − d)·relu(z_l(t)).
// Each hidden layer is an ordinary FF layer (src/ff/layer/layer.ts) whose input is the concatenation of
// the two normalised neighbours: its forward, loss and backward are reused unchanged, with the
// neighbours' states as constants (no backpropagation through time).
// N = rows, L = hidden layers, C = classes, T = iterations.
//
// Choices the paper leaves open (docs/DEFINITIONS.md):
// - initial state: one bottom-up pass, each layer seeing the layer below and nothing above, except
//   the top layer, which sees the clamped label: so at t = 1 every layer already has label news;
// - goodness of layer l at iteration t is that of its computed activity y = relu(z_l(t)) (before
//   damping), so the FF layer's gradient applies as it is; the damped state is what neighbours see;
// - training: every layer at every iteration 1..T contributes its FF loss; the gradients are
//   averaged over the T iterations and applied once per batch;
// - negatives: the wrong label is drawn from a softmax head's probabilities after a run with the
//   neutral label (the network's own prediction in one run instead of ten), true label excluded;
// - prediction: for each label, run to the last scored iteration and add, over the scored
//   layers, the goodness averaged over the scored iterations (default 3–5); argmax. The softmax
//   head on the neutral run gives a one-run prediction too.
import type { Config } from '../../config/config.ts';
import { gatherLabels, gatherRows } from '../../data/batch.ts';
import { evaluateInChunks, type ChunkScorer } from '../evaluate.ts';
import type { Rng } from '../../rng.ts';
import { normalizeRows } from '../layer/definitions.ts';
import { headForward } from '../layer/head.ts';
import { layerBackward, layerForwardFromNormalised, makeLayerActs, type LayerActs, type LayerMath } from '../layer/layer.ts';
import { drawWrongLabels } from '../inputs/negatives.ts';
import { headFeatures, initNetwork, type Network, type Workspace } from '../network.ts';
import type { LayerView, Pass, StepObserver } from '../step-observer.ts';
import { makeStepContext, withObserver, type StepContext, type TrainerBackend } from '../context.ts';
import { dropLayer, type Dropout } from '../inputs/dropout.ts';
import { shiftStepImages } from '../inputs/shift.ts';
import {
  makeAugmentation, makeOptimizers, optimizerStep, trainHead, workspaceRows, type LayerStepStats, type StepBatch, type StepStats, type StepStreams,
  type Trainer,
} from '../trainer.ts';

/** Fan-in of each recurrent layer: the width below plus the width above (the top layer: the C label units). */
export function recurrentFanIn(widths: number[], classes: number): number[] {
  const L = widths.length - 1;
  return widths.slice(0, L).map((below, i) => below + (i + 1 === L ? classes : widths[i + 2]!));
}

/** The recurrent net: layer l (0-based) has D = width below + width above, W = [U; V]. */
export function initRecurrentNetwork(widths: number[], classes: number, scored1: number[], rng: Rng, scale = 1): Network {
  return initNetwork({ widths, scored: scored1, classes, fanIn: recurrentFanIn(widths, classes), scale }, rng);
}

/** The states and buffers of the iterations over up to `rows` rows. */
export interface RecurrentState {
  rows: number;
  imageHat: Float32Array; // (rows, D0) the normalised image (constant over iterations)
  labelHat: Float32Array; // (rows, C) the normalised clamped label layer
  h: Float32Array[]; // per hidden layer (rows, H_l): state at t − 1
  hNext: Float32Array[]; // per hidden layer (rows, H_l): state at t
  hHat: Float32Array[]; // per hidden layer (rows, H_l): normalised h (what the neighbours read)
  acts: LayerActs<Float32Array>[]; // per hidden layer: x̂ = [below | above], y, G, dLdG, dZ
  gW: Float32Array[]; // gradients summed over iterations
  gb: Float32Array[];
}

export function makeState(net: Network, rows: number, classes: number): RecurrentState {
  return {
    rows,
    imageHat: new Float32Array(rows * net.widths[0]!),
    labelHat: new Float32Array(rows * classes),
    h: net.layers.map((l) => new Float32Array(rows * l.H)),
    hNext: net.layers.map((l) => new Float32Array(rows * l.H)),
    hHat: net.layers.map((l) => new Float32Array(rows * l.H)),
    acts: net.layers.map((l) => makeLayerActs(rows, l.D, l.H)),
    gW: net.layers.map((l) => new Float32Array(l.W.length)),
    gb: net.layers.map((l) => new Float32Array(l.b.length)),
  };
}

// dst (N, at.D) columns [at.col, at.col + W) = src (N, W). Copies a normalised neighbour into x̂.
function copyColumns(dst: Float32Array, at: { D: number; col: number }, src: Float32Array, N: number, W: number): void {
  const { D: Dd, col } = at;
  for (let r = 0; r < N; r++) {
    const o = r * Dd + col, i = r * W;
    for (let j = 0; j < W; j++) dst[o + j] = src[i + j]!;
  }
}

// dst (N, Dd) columns [col, col + W) = 0.
function zeroColumns(dst: Float32Array, Dd: number, col: number, N: number, W: number): void {
  for (let r = 0; r < N; r++) dst.fill(0, r * Dd + col, r * Dd + col + W);
}

/** The clamped label layer's C units: the strength of a clamped label and the value of the neutral one. */
export interface LabelClamp {
  C: number;
  strength: number;
  neutral: number;
}

/** The label clamp of cfg for C classes. */
export function labelClamp(cfg: Config, C: number): LabelClamp {
  return { C, strength: cfg.labelStrength, neutral: cfg.neutralLabel };
}

/**
 * The clamped label layer as the top hidden layer reads it: label[r] one-hot, or `neutral` in every
 * unit when labels is null; normalised like any layer, then times `strength`. Normalisation alone
 * would erase a strength written into the one-hot, so the strength scales the normalised vector:
 * 1 is the spec, and larger values give the label more pull on the top layer than its C units have.
 */
export function setLabelLayer(st: RecurrentState, labels: Int32Array | null, N: number, clamp: LabelClamp, math: LayerMath): void {
  const { C, strength, neutral } = clamp;
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < C; c++) st.labelHat[r * C + c] = labels === null ? neutral : c === labels[r] ? 1 : 0;
  }
  normalizeRows(st.labelHat, st.labelHat, N, C, math.norm);
  if (strength !== 1) for (let i = 0; i < N * C; i++) st.labelHat[i] = st.labelHat[i]! * strength;
}

// The initial state: one bottom-up pass. Layer l sees the normalised layer below and, in place of
// the hidden layer above, zeros (it has no state yet); the top layer sees the clamped label, which
// is there from the start. h_l(0) = relu(z_l(0)). Needs st.imageHat and st.labelHat.
// ctx.obs (a training step's observer) sees each layer's forward and the states, as iteration 0 of `pass`.
export function bottomUp(ctx: StepContext, st: RecurrentState, net: Network, N: number, pass: Pass = 'ff'): void {
  const { math, obs } = ctx;
  const L = net.layers.length;
  for (let l = 0; l < L; l++) {
    const layer = net.layers[l]!, acts = st.acts[l]!;
    const below = l === 0 ? net.widths[0]! : net.layers[l - 1]!.H;
    copyColumns(acts.xhat, { D: layer.D, col: 0 }, l === 0 ? st.imageHat : st.hHat[l - 1]!, N, below);
    if (l === L - 1) copyColumns(acts.xhat, { D: layer.D, col: below }, st.labelHat, N, layer.D - below);
    else zeroColumns(acts.xhat, layer.D, below, N, layer.D - below);
    layerForwardFromNormalised(ctx, acts, layer, N);
    obs?.onLayer?.(l, 'forward', { pass, t: 0, rows: N, positives: pass === 'ff' ? N / 2 : 0, x: null, params: layer, acts, loss: NaN, peer: null });
    st.h[l]!.set(acts.y.subarray(0, N * layer.H));
    normalizeRows(st.hHat[l]!, st.h[l]!, N, layer.H, math.norm);
  }
  obs?.onIteration?.(pass, 0, st.h, N, 0);
}

/** One iteration of iterate(): its rows and damping and, when it learns, its positives and the losses to add to. */
export interface Iteration {
  N: number; // rows
  damping: number; // d
  P?: number; // rows 0..P-1 positive (the rest negative); absent or -1: no learning
  losses?: number[] | null; // per layer, the FF losses are added here (and gradients to st.gW, st.gb); absent or null: no learning
  pass?: Pass; // what an observer is told (default 'ff')
  t?: number; // the iteration's number, for an observer
  drop?: Dropout | null; // --dropout
}

// One synchronous iteration t: every layer's z from the neighbours' states at t − 1, then every
// state is damped at once. If P ≥ 0 the layers' FF losses (rows 0..P-1 positive, the rest
// negative) are differentiated and their gradients added to st.gW / st.gb; returns the losses.
//   z_l = [norm(h_{l−1}) | norm(h_{l+1})]·W_l + b_l,   y_l = relu(z_l),   h_l ← d·h_l + (1 − d)·y_l
// ctx.obs (a training step's observer) sees each layer's forward and backward and the damped states, as iteration t of `pass`.
// `drop` (--dropout), in an iteration that learns (losses given): every layer's y becomes ỹ
// (dropout.ts) after its forward, so its loss, its gradient and the damped state all use ỹ.
export function iterate(ctx: StepContext, st: RecurrentState, net: Network, it: Iteration): void {
  const { math, obs } = ctx, { N, P = -1, damping, losses = null, pass = 'ff', t = 0, drop } = it;
  const L = net.layers.length;
  for (let l = 0; l < L; l++) {
    const layer = net.layers[l]!, acts = st.acts[l]!;
    const below = l === 0 ? net.widths[0]! : net.layers[l - 1]!.H;
    copyColumns(acts.xhat, { D: layer.D, col: 0 }, l === 0 ? st.imageHat : st.hHat[l - 1]!, N, below);
    copyColumns(acts.xhat, { D: layer.D, col: below }, l === L - 1 ? st.labelHat : st.hHat[l + 1]!, N, layer.D - below);
    layerForwardFromNormalised(ctx, acts, layer, N);
    const dropping = drop && losses !== null;
    if (dropping) dropLayer(drop, l, acts, N, math.goodness);
    const view: LayerView | null = obs?.onLayer
      ? { pass, t, rows: N, positives: Math.max(P, 0), x: null, params: layer, acts, keep: dropping ? drop.keep[l] : null, loss: NaN, peer: null }
      : null;
    if (view) obs!.onLayer!(l, 'forward', view);
    if (losses !== null) {
      const peer = view && math.peerNorm > 0 ? new Float64Array(layer.H) : undefined;
      const loss = layerBackward(ctx, acts, layer, { N, P, peerOut: peer });
      if (view) obs!.onLayer!(l, 'backward', { ...view, loss, peer: peer ?? null });
      losses[l] = (losses[l] ?? 0) + loss;
      const gW = st.gW[l]!, gb = st.gb[l]!;
      for (let i = 0; i < gW.length; i++) gW[i] = gW[i]! + layer.dW[i]!;
      for (let i = 0; i < gb.length; i++) gb[i] = gb[i]! + layer.db[i]!;
    }
  }
  for (let l = 0; l < L; l++) {
    const H = net.layers[l]!.H, h = st.h[l]!, y = st.acts[l]!.y, next = st.hNext[l]!;
    for (let i = 0; i < N * H; i++) next[i] = damping * h[i]! + (1 - damping) * y[i]!; // damping
    st.hNext[l] = h;
    st.h[l] = next;
    normalizeRows(st.hHat[l]!, next, N, H, math.norm);
  }
  obs?.onIteration?.(pass, t, st.h, N, damping);
}

/** The label runs of runAllLabels: n images, `iterations` iterations of damping d, the clamp, scratch rowLabels (≥ C·n). */
export interface AllLabelsRun {
  n: number;
  iterations: number;
  damping: number;
  clamp: LabelClamp;
  rowLabels: Int32Array;
}

/**
 * The C label runs of n images at once, as prediction needs them: st.imageHat's first n rows (the
 * normalised images) are copied into C blocks, block c (rows c·n .. c·n+n−1) gets label c clamped,
 * then the initial pass and `iterations` iterations run. onIteration(t) is called after each,
 * t = 0 for the initial pass, when st.acts[l].G holds layer l's goodness of every row.
 */
export function runAllLabels(ctx: StepContext, st: RecurrentState, net: Network, run: AllLabelsRun, onIteration: (t: number) => void): void {
  const { n, iterations, damping, clamp, rowLabels } = run, C = clamp.C;
  const D0 = net.widths[0]!;
  for (let c = C - 1; c >= 1; c--) st.imageHat.copyWithin(c * n * D0, 0, n * D0);
  for (let c = 0; c < C; c++) rowLabels.fill(c, c * n, (c + 1) * n);
  setLabelLayer(st, rowLabels, C * n, clamp, ctx.math);
  bottomUp(ctx, st, net, C * n);
  onIteration(0);
  for (let t = 1; t <= iterations; t++) {
    iterate(ctx, st, net, { N: C * n, damping });
    onIteration(t);
  }
}

// streams.negatives draws the wrong labels. The recurrent net runs its row kernels on the calling thread.
export function makeRecurrentTrainer(
  cfg: Config, net: Network, classes: number, backend: TrainerBackend, streams: StepStreams & { negatives: Rng },
): Trainer {
  const ctx = makeStepContext(cfg, backend);
  const { mm, math } = ctx, negRng = streams.negatives;
  const rows = workspaceRows(cfg);
  const st = makeState(net, rows, classes);
  const clamp = labelClamp(cfg, classes);
  const opt = makeOptimizers(cfg, net);
  const D0 = net.widths[0]!, C = classes, L = net.layers.length, T = cfg.iterations;
  const [scoreFrom, scoreTo] = cfg.scoreIterations;
  const labels = new Int32Array(rows), wrong = new Int32Array(rows), rowLabels = new Int32Array(rows);
  const scores = new Float32Array(rows * C);
  const { shifter, dropout } = makeAugmentation(cfg, net, streams);
  // The head's buffers (features of the scored layers, probabilities) in the Workspace shape.
  const ws: Workspace = {
    rows, input: st.imageHat, acts: st.acts,
    feats: new Float32Array(rows * net.head.F), normTmp: new Float32Array(rows * Math.max(...net.widths.slice(1))),
    probs: new Float32Array(rows * C), dLogits: new Float32Array(rows * C),
  };

  /** Run T iterations from the bottom-up state with the label layer as set (the neutral label); no learning. */
  function runNeutral(c: StepContext, N: number): void {
    bottomUp(c, st, net, N, 'neutral');
    for (let t = 1; t <= T; t++) iterate(c, st, net, { N, damping: cfg.damping, pass: 'neutral', t });
  }

  // batch.only: greedy training does not apply to the recurrent net (checked in check-config.ts).
  function step(batch: StepBatch, obs?: StepObserver): StepStats {
    const { B, lr, headLr } = batch, c = withObserver(ctx, obs);
    takeBatch(batch, obs); // st.imageHat (B, D0): the normalised images; labels (B)

    // 1. Neutral run: the head learns from the final states; its probabilities propose wrong labels.
    setLabelLayer(st, null, B, clamp, math);
    obs?.onRows?.('neutral', st.imageHat, B, st.labelHat);
    runNeutral(c, B);
    const headLoss = trainHead(c, ws, net, opt.head, { labels, B, lr: headLr, activity: st.h });
    proposeWrongLabels(B, obs); // wrong (B) from the head's probabilities ws.probs

    // 2. FF: rows 0..B-1 the image with its true label, rows B..2B-1 the same image with a wrong one;
    //    the initial pass, then T iterations whose FF losses all learn, then one update per layer.
    clampPositiveNegative(B, obs);
    bottomUp(c, st, net, 2 * B, 'ff');
    const { stats, losses } = learnIterations(c, B);
    updateLayers(c, lr, stats, losses);
    return { layers: stats, headLoss, rows: B };
  }

  // st.imageHat (B, D0) = the step's images, normalised, and labels (B); --shift moves the images before the normalisation.
  function takeBatch(batch: StepBatch, obs: StepObserver | undefined): void {
    const { split, order, start, B } = batch;
    gatherRows(st.imageHat, split, order, start, B);
    gatherLabels(labels, split, order, start, B);
    obs?.onBatch?.(order.subarray(start, start + B), labels.subarray(0, B), st.imageHat.subarray(0, B * D0));
    shiftStepImages(shifter, st.imageHat, batch, obs);
    normalizeRows(st.imageHat, st.imageHat, B, D0, math.norm);
  }

  // wrong (B): a wrong label per image, hard (from the head's probabilities) or random (negatives.ts).
  function proposeWrongLabels(B: number, obs: StepObserver | undefined): void {
    const u = obs?.onNegatives ? new Float64Array(B) : undefined;
    drawWrongLabels(cfg.negatives, wrong, labels, ws.probs, B, C, negRng, u);
    if (u) obs!.onNegatives!(u, wrong.subarray(0, B), ws.probs);
  }

  // The 2B rows of the FF pass: the B images twice, the label layer clamped to the true labels, then to the wrong ones.
  function clampPositiveNegative(B: number, obs: StepObserver | undefined): void {
    st.imageHat.copyWithin(B * D0, 0, B * D0);
    rowLabels.set(labels.subarray(0, B), 0);
    rowLabels.set(wrong.subarray(0, B), B);
    setLabelLayer(st, rowLabels, 2 * B, clamp, math);
    obs?.onRows?.('ff', st.imageHat, 2 * B, st.labelHat);
  }

  // Iterations 1..T on the 2B rows, each layer's FF loss differentiated at every one (layer.ts; the
  // gradients summed into st.gW, st.gb, the losses into `losses`); the statistics are the means over the T iterations.
  function learnIterations(c: StepContext, B: number): { stats: LayerStepStats[]; losses: number[] } {
    for (let l = 0; l < L; l++) {
      st.gW[l]!.fill(0);
      st.gb[l]!.fill(0);
    }
    const losses: number[] = new Array(L).fill(0);
    const stats: LayerStepStats[] = net.layers.map(() => ({ loss: 0, goodPos: 0, goodNeg: 0, pairErrors: 0 }));
    for (let t = 1; t <= T; t++) {
      iterate(c, st, net, { N: 2 * B, P: B, damping: cfg.damping, losses, pass: 'ff', t, drop: dropout });
      for (let l = 0; l < L; l++) {
        const G = st.acts[l]!.G, s = stats[l]!;
        for (let r = 0; r < B; r++) {
          s.goodPos += G[r]! / (B * T);
          s.goodNeg += G[B + r]! / (B * T);
          if (G[B + r]! >= G[r]!) s.pairErrors += 1 / T;
        }
      }
    }
    return { stats, losses };
  }

  // The objective is the mean over the T iterations: each layer's optimizer steps on its summed
  // gradients scaled by 1/T; its loss is the mean of the T losses.
  function updateLayers(c: StepContext, lr: number, stats: LayerStepStats[], losses: number[]): void {
    for (let l = 0; l < L; l++) {
      const layer = net.layers[l]!, gW = st.gW[l]!, gb = st.gb[l]!;
      for (let i = 0; i < gW.length; i++) gW[i] = gW[i]! / T;
      for (let i = 0; i < gb.length; i++) gb[i] = gb[i]! / T;
      optimizerStep(c, opt.layers[l]!, l, { params: [layer.W, layer.b], grads: [gW, gb], lr });
      stats[l]!.loss = losses[l]! / T;
    }
  }

  // Evaluation in chunks of n images (evaluate.ts), each gathered and normalised once for both methods.
  const inScore = scoreTo - scoreFrom + 1;
  let perLayer: Float32Array[] | null = null; // an observer of the label scores: every layer's goodness averaged over the scored iterations
  const scorer: ChunkScorer = {
    n: Math.floor(rows / C), C, labels,
    prepare({ split, order, start, n }) {
      gatherRows(st.imageHat, split, order, start, n);
      normalizeRows(st.imageHat, st.imageHat, n, D0, math.norm);
    },
    softmax({ n }) {
      // One neutral run of T iterations, then the head on the final states.
      setLabelLayer(st, null, n, clamp, math);
      runNeutral(ctx, n);
      headFeatures(ctx, ws, net, n, st.h);
      headForward(ws.probs, ws.feats, net.head, n, mm);
      return ws.probs;
    },
    goodness({ start, n }, layers) {
      // C blocks of n rows (block c clamps label c), run to the last scored iteration.
      if (start === 0) perLayer = layers ? net.layers.map(() => new Float32Array(C * scorer.n)) : null; // once per evaluation
      const sums = perLayer;
      scores.fill(0);
      if (sums) for (const p of sums) p.fill(0);
      runAllLabels(ctx, st, net, { n, iterations: scoreTo, damping: cfg.damping, clamp, rowLabels }, (t) => {
        if (t < scoreFrom) return;
        for (const l of net.scored) {
          const G = st.acts[l]!.G;
          for (let c = 0; c < C; c++) for (let r = 0; r < n; r++) scores[r * C + c]! += G[c * n + r]! / inScore;
        }
        if (sums) {
          for (let l = 0; l < L; l++) {
            const G = st.acts[l]!.G, p = sums[l]!;
            for (let i = 0; i < C * n; i++) p[i] = p[i]! + G[i]! / inScore;
          }
        }
      });
      return { scores, perLayer: sums };
    },
  };
  const evaluate: Trainer['evaluate'] = (split, count, methods = ['goodness', 'softmax'], observer) =>
    evaluateInChunks(scorer, split, count, methods, observer);

  return { net, ws, opt, step, evaluate };
}
