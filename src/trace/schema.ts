// The trace's schema in code (docs/TRACE.md is its prose): the JSON shapes a trace of step K is
// made of (Trace and its parts), the tensor encoders that fill them from the trainer's arrays
// (float32 at the shortest decimal that reads back the same, float64 in full), and describeDraws,
// a one-line summary of a trace's negatives. step-tracer.ts fills the shapes from a StepObserver,
// trace.ts runs the run and writes the JSON. B = images of the step, D0 = pixels, D = a layer's
// input width, H = its width, F = the head's feature width, C = classes, N = rows of a pass.
import type { Config } from '../config/config.ts';
import type { TestErrors } from '../ff/trainer.ts';

/** The `format` field of every trace; bump it when the schema changes (docs/TRACE.md). */
export const TRACE_FORMAT = 'forward-forward-ts/trace/2';

/** A tensor as JSON: row-major `data` of length prod(shape). */
export interface Tensor {
  shape: number[];
  data: number[];
}

/** Parameters of a layer or of the head; peerMean only for layers. */
export interface ParamsTrace {
  W: Tensor; // (D, H) or (F, C)
  b: Tensor; // (H) or (C)
  peerMean?: Tensor; // (H) running mean activity of peer normalisation
}

export type OptimizerState =
  | { kind: 'adam'; t: number; m: ParamsTrace; v: ParamsTrace }
  | { kind: 'sgd'; smoothed: ParamsTrace };

/** One optimizer update: its state before and after, the rate, and the gradients it applied. */
export interface OptimizerTrace {
  lr: number;
  grads: { dW: Tensor; db: Tensor };
  before: OptimizerState;
  after: OptimizerState;
}

/** The B positive or the B negative rows of one layer in one pass (or iteration). */
export interface RowsTrace {
  input?: Tensor; // (B, D) x before normalisation (not in the recurrent net, whose x̂ is built from normalised neighbours)
  xhat: Tensor; // (B, D) x̂
  z: Tensor; // (B, H) x̂·W + b with W, b before the step
  y: Tensor; // (B, H) relu(z); with --dropout ỹ = relu(z)·keep/(1 − p)
  keep?: Tensor; // (B, H) with --dropout: the dropout mask (1 kept, 0 dropped)
  G: Tensor; // (B) goodness
  p: Tensor; // (B) σ(G − θ), f64
  loss?: Tensor; // (B) per-row FF loss, f64 (when the layer learns from this pass); --loss symba: the pair losses, on the positive side only
  dLdG?: Tensor; // (B) dL/dG
  dZ?: Tensor; // (B, H) dL/dz, the peer term included
}

/** What one layer did in one pass (feed-forward modes) or one iteration (recurrent). */
export interface LayerPassTrace {
  t?: number; // recurrent: the iteration (0 = bottom-up, no learning)
  positive: RowsTrace;
  negative: RowsTrace;
  loss?: number; // f64 mean of the 2B row losses (layerBackward's return value)
  peer?: Tensor | null; // (H) f64: the peer term added to dZ on each positive row; null when --peer-norm is 0
  grads?: { dW: Tensor; db: Tensor }; // recurrent: this iteration's dL/dW, dL/db (their mean over t is what the optimizer applies)
}

export interface LayerTrace extends Partial<LayerPassTrace> {
  layer: number; // 1-based
  D: number;
  H: number;
  theta: number; // θ of the positive rows
  thetaNeg: number; // θ⁻ of the negative rows (config.thresholdNeg, else θ)
  goodnessScale: number;
  mask?: Tensor; // (D, H) 0/1 with --receptive-field: which inputs reach each unit (W is 0 elsewhere)
  before: ParamsTrace;
  iterations?: LayerPassTrace[]; // recurrent: t = 0..T
  optimizer?: OptimizerTrace; // absent for a layer a greedy step runs but does not train
  after: ParamsTrace;
}

export interface HeadTrace {
  scoredLayers: number[];
  features: Tensor; // (B, F)
  before: ParamsTrace;
  logits: Tensor; // (B, C) features·W + b
  probs: Tensor; // (B, C)
  rowLoss: Tensor; // (B) f64 −log probs[r, label_r]
  loss: number;
  dLogits: Tensor; // (B, C)
  optimizer: OptimizerTrace;
  after: ParamsTrace;
}

export type NegativesTrace =
  | { mode: 'hard'; rule: string; u: number[]; wrongMass: number[]; q: Tensor; wrong: number[] }
  | { mode: 'random'; rule: string; u: number[]; offset: number[]; wrong: number[] };

/** Recurrent: the damped states h_l(t) (N, H_l) of every layer after iteration t. */
export interface IterationStates {
  t: number;
  damping: number;
  states: Tensor[];
}

export interface PassTrace {
  input: Tensor; // (N, D0): supervised the rows with the label written in, unsupervised images then hybrids, recurrent the normalised images
  labelLayer?: Tensor; // recurrent: (N, C) the clamped, normalised label layer ×labelStrength
  iterations?: IterationStates[]; // recurrent: t = 0..T
}

export interface EvaluationTrace {
  images: number; // N: the first N test images
  labels: number[];
  scores?: Tensor; // (N, C) goodness modes: score of each label (argmax = prediction)
  perLayer?: { layer: number; G: Tensor }[]; // (N, C) each layer's goodness with each label
  probs?: Tensor; // (N, C) the head's probabilities
  predicted: { goodness: number[] | null; softmax: number[] | null };
  errors: TestErrors;
}

/** A step's shifts: each image's draw (B each) and the shifted images (B, D0). */
export interface ShiftTrace { dx: number[]; dy: number[]; images: Tensor }

export interface Trace {
  format: string;
  about: string;
  config: Config;
  dataset: { train: number; test: number; rows: number; cols: number; classes: number };
  step: {
    number: number; epoch: number; stepInEpoch: number; stepsPerEpoch: number; totalSteps: number;
    lr: number; headLr: number; trainedLayers: number[];
  };
  batch: { indices: number[]; labels: number[]; images: Tensor };
  neutral?: PassTrace; // supervised and recurrent: the pass with the neutral label (head, hard negatives)
  negatives?: NegativesTrace; // supervised and recurrent
  hybrids?: { masks: Tensor; partners: number[] }; // unsupervised, hybrid negatives
  shift?: ShiftTrace & { view2?: ShiftTrace }; // --shift: each image's draw and the shifted images (B, D0); view2: the second views of --views 2
  pairs?: { k: number; partners: number[] }; // unsupervised, Self-Contrastive FF pairs
  ff: PassTrace;
  head: HeadTrace;
  layers: LayerTrace[];
  evaluation?: EvaluationTrace;
}

/**
 * One line on what the traced step drew for its negatives, whichever kind the mode has: wrong
 * labels (supervised, recurrent), hybrid partners (unsupervised, hybrid), or Self-Contrastive FF
 * pairs with their offset (unsupervised, scff); then each view's shifts when --shift is on.
 */
export function describeDraws(trace: Pick<Trace, 'negatives' | 'hybrids' | 'pairs' | 'shift'>): string {
  const parts: string[] = [];
  if (trace.negatives) parts.push(`wrong labels ${trace.negatives.wrong.join(',')} (${trace.negatives.mode})`);
  if (trace.hybrids) parts.push(`hybrid partners ${trace.hybrids.partners.join(',')}`);
  if (trace.pairs) parts.push(`scff pair partners ${trace.pairs.partners.join(',')} (offset ${trace.pairs.k})`);
  const shifts = (s: ShiftTrace): string => s.dx.map((dx, i) => `${dx}:${s.dy[i]}`).join(',');
  if (trace.shift) parts.push(`shifts dx:dy ${shifts(trace.shift)}${trace.shift.view2 ? `, second view ${shifts(trace.shift.view2)}` : ''}`);
  return parts.length > 0 ? parts.join('; ') : 'no negatives drawn';
}

/** The shortest decimal that reads back (via Math.fround) as the same float32 as v. */
export function shortestF32(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v === 0 ? 0 : v; // -0 prints as 0; NaN/±∞ become null in JSON
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return s; // 9 significant digits always suffice for a float32
  }
  return v;
}

function product(shape: number[]): number {
  return shape.reduce((a, n) => a * n, 1);
}

/** Float32 storage → Tensor; `a` may be longer (a workspace buffer): its first prod(shape) values. */
export function tensor32(a: Float32Array, shape: number[]): Tensor {
  const n = product(shape);
  if (a.length < n) throw new Error(`tensor32: (${shape.join(', ')}) needs ${n} values, got ${a.length}`);
  return { shape: shape.slice(), data: Array.from(a.subarray(0, n), shortestF32) };
}

/** Float64 values → Tensor, at full double precision. */
export function tensor64(a: ArrayLike<number>, shape: number[]): Tensor {
  if (a.length !== product(shape)) throw new Error(`tensor64: (${shape.join(', ')}) vs ${a.length} values`);
  return { shape: shape.slice(), data: Array.from(a) };
}

/** Rows r0..r0+R-1 of a row-major (·, w) buffer, as a Tensor (R, w) (or (R) when w is null). */
export function rows32(a: Float32Array, r0: number, R: number, w: number | null): Tensor {
  const k = w ?? 1;
  return tensor32(a.subarray(r0 * k, (r0 + R) * k), w === null ? [R] : [R, w]);
}
