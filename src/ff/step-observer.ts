// What one training step shows a listener: the StepObserver every trainer's step() takes (all
// modes), called at fixed points of the real step with the trainer's own buffers. The trace
// (src/trace/step-tracer.ts) listens here instead of re-running the step. Every array
// is live: valid during the call only, to be copied if kept, never written. Without an observer
// a step allocates and copies nothing more and gives the same bits. Callbacks come in the order
// the step computes what they show. B = images of the step, N = rows of a pass, D0 = pixels,
// C = classes.
import type { Optimizer } from '../optim/optimizer.ts';
import type { HeadParams } from './layer/head.ts';
import type { LayerActs, LayerParams } from './layer/layer.ts';

/**
 * The passes of a step: 'neutral' (the B images with the neutral label; supervised and
 * recurrent, whose head and hard negatives read it) and 'ff' (the 2B rows the layers learn from:
 * rows 0..B−1 positive, B..2B−1 negative; unsupervised feeds the head from its first B rows).
 */
export type Pass = 'neutral' | 'ff';

/** A layer at a point of a pass. params/acts are the live layer and its activations. */
export interface LayerView {
  pass: Pass;
  t: number; // recurrent: the iteration (0 = the bottom-up pass); feed-forward modes: 0
  rows: number; // N
  positives: number; // P: rows 0..P−1 are positive, the rest negative (the ff pass: B; the neutral pass: 0)
  x: Float32Array | null; // (N, D) the layer's input before normalisation; null in the recurrent net (x̂ = [norm(below) | norm(above)])
  params: LayerParams<Float32Array>; // W (D, H), b (H), dW, db, peerMean (H)
  // xhat (N, D), y (N, H), G (N); after 'backward' also dLdG (N), dZ (N, H); with dropout y is ỹ = y·m/(1 − p) and G its goodness
  acts: LayerActs<Float32Array>;
  keep?: Uint8Array | null; // (N, H) with --dropout: the pass's mask m (1 kept, 0 dropped); absent or null: no dropout
  // (N, H) z as the step computed it where that is not x̂·W + b row by row
  // (supervised layer 1 with cfg.shortcuts: κ·(x_rest·W + ℓ·W) + b); absent or null: z = x̂·W + b
  z?: Float32Array | null;
  loss: number; // after 'backward': the layer's FF loss (mean over the N rows); NaN after 'forward'
  peer: Float64Array | null; // after 'backward': (H) the peer term (λ/N)·(m_j − m̄) added to dZ on each positive row; null when λ = 0
}

/** The softmax head on B rows: feats (B, F), probs (B, C), dLogits (B, C) after 'backward'. */
export interface HeadView {
  rows: number;
  labels: Int32Array; // (B) true labels
  feats: Float32Array;
  probs: Float32Array; // softmax(feats·W + b) with W, b before the head's update
  dLogits: Float32Array;
  params: HeadParams<Float32Array>; // W (F, C), b (C), dW, db
  loss: number; // after 'backward': mean cross-entropy; NaN after 'forward'
}

export interface StepObserver {
  /** The batch: indices (B) into the split, labels (B), images (B, D0) as gathered (pixels / 255). */
  onBatch?(indices: Int32Array, labels: Int32Array, images: Float32Array): void;
  /**
   * With --shift: each image's draw dx, dy (B) and the images (B, D0) after the shift, before any label is written;
   * view 2: the second views of --views 2.
   */
  onShift?(dx: Int32Array, dy: Int32Array, images: Float32Array, view: 1 | 2): void;
  /**
   * A pass's input rows: (N, D0) pixels (supervised: labels written in; recurrent: normalised image), and the recurrent
   * net's clamped label layer (N, C) or null.
   */
  onRows?(pass: Pass, input: Float32Array, rows: number, labelLayer: Float32Array | null): void;
  /** Layer l (0-based): 'forward' after its forward (params still as before the step), 'backward' after its local backward. */
  onLayer?(l: number, phase: 'forward' | 'backward', v: LayerView): void;
  /** Recurrent: after iteration t of a pass (t = 0: the bottom-up pass), states[l] (N, H_l) = the damped states h_l(t). */
  onIteration?(pass: Pass, t: number, states: Float32Array[], rows: number, damping: number): void;
  /** The head: 'forward' after its probabilities, 'backward' after its gradient. */
  onHead?(phase: 'forward' | 'backward', v: HeadView): void;
  /** The wrong labels (B) and the uniform u (B) each was drawn from, with the probabilities (B, C) they were drawn from. */
  onNegatives?(u: Float64Array, wrong: Int32Array, probs: Float32Array): void;
  /** Unsupervised: each negative row's mask (B, D0) and partner row (B) in the batch. */
  onHybrids?(masks: Float32Array, partners: Int32Array): void;
  /** Unsupervised Self-Contrastive FF: negative pair r is image r beside image partners[r] (B); the offset k = partners[r] − r mod B. */
  onPairs?(partners: Int32Array, k: number): void;
  /** An optimizer update of layer l (0-based) or of the head: 'before' and 'after' it, the tensors [W, b], the gradients applied and lr. */
  onOptimizer?(target: number | 'head', phase: 'before' | 'after', opt: Optimizer, params: Float32Array[], grads: Float32Array[], lr: number): void;
}
