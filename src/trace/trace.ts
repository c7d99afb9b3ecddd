// A JSON trace of training step K of any FF mode (supervised, unsupervised, recurrent), and
// optionally of the evaluation of N test images after it. docs/TRACE.md is the schema.
// The run is the real one (trainSteps in src/run/train-run.ts: same seed streams, same order, same
// learning rates); the trace is a listener (StepObserver) on step K and an EvalObserver on the
// evaluation that copies what the trainer shows it into JSON. It computes only what the trainer
// does not keep: z = x̂·W + b, the logits, p = σ(G − θ), the per-row losses and the hard
// negatives' sampling distribution q. B = images of the step, D0 = pixels, D = a layer's input
// width, H = its width, F = the head's feature width, C = classes, T = recurrent iterations.
import { scoredLayerNumbers, type Config } from '../config/config.ts';
import { UserError } from '../errors.ts';
import type { Dataset } from '../data/dataset.ts';
import { ffLossRows, goodnessScale, sigmoid, softplus, thresholdFor } from '../ff/layer/definitions.ts';
import type { MatmulFn } from '../ff/layer/layer.ts';
import { wrongMass } from '../ff/inputs/negatives.ts';
import { argmaxRow } from '../ff/network.ts';
import { crossEntropyRow } from '../ff/layer/head.ts';
import { recurrentFanIn } from '../ff/modes/recurrent.ts';
import type { LayerView, Pass, StepObserver } from '../ff/step-observer.ts';
import type { EvalObserver, TestErrors, Trainer } from '../ff/trainer.ts';
import type { MatmulBackend } from '../linalg/backend.ts';
import { matView } from '../linalg/view.ts';
import { Adam } from '../optim/adam.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import { SmoothedSgd } from '../optim/smoothed-sgd.ts';
import { makeBackend } from '../run/backend.ts';
import { stepCounts, trainSteps } from '../run/train-run.ts';

/** The `format` field of every trace; bump it when the schema changes (docs/TRACE.md). */
export const TRACE_FORMAT = 'forward-forward-ts/trace/2';
/** Refuse a trace that could be larger than this many bytes of JSON. */
export const MAX_TRACE_BYTES = 50e6;
/** Upper bound on the JSON length of one float32 value and its comma ("-0.00000123456789,"). */
const BYTES_PER_F32 = 18;
/** Upper bound for a float64 value ("-1.2345678901234567e-100,"). */
const BYTES_PER_F64 = 26;

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
  step: { number: number; epoch: number; stepInEpoch: number; stepsPerEpoch: number; totalSteps: number; lr: number; headLr: number; trainedLayers: number[] };
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
function tensor64(a: ArrayLike<number>, shape: number[]): Tensor {
  if (a.length !== product(shape)) throw new Error(`tensor64: (${shape.join(', ')}) vs ${a.length} values`);
  return { shape: shape.slice(), data: Array.from(a) };
}

/** Rows r0..r0+R-1 of a row-major (·, w) buffer, as a Tensor (R, w) (or (R) when w is null). */
function rows32(a: Float32Array, r0: number, R: number, w: number | null): Tensor {
  const k = w ?? 1;
  return tensor32(a.subarray(r0 * k, (r0 + R) * k), w === null ? [R] : [R, w]);
}

function params(W: Float32Array, b: Float32Array, wShape: number[], peerMean?: Float32Array): ParamsTrace {
  const out: ParamsTrace = { W: tensor32(W, wShape), b: tensor32(b, [b.length]) };
  if (peerMean) out.peerMean = tensor32(peerMean, [peerMean.length]);
  return out;
}

/** The state() of one of the project's optimizers over [W, b]. */
function optimizerState(opt: Optimizer, wShape: number[]): OptimizerState {
  const pair = (ts: Float32Array[]): ParamsTrace => params(ts[0]!, ts[1]!, wShape);
  if (opt instanceof Adam) {
    const s = opt.state();
    return { kind: 'adam', t: s.t, m: pair(s.m), v: pair(s.v) };
  }
  if (opt instanceof SmoothedSgd) return { kind: 'sgd', smoothed: pair(opt.state().smoothed) };
  throw new Error('trace: unknown optimizer class');
}

/**
 * Upper bound on the trace's JSON size in bytes: each float32 counted at BYTES_PER_F32, each
 * float64 (and integer) at BYTES_PER_F64, plus 64 KiB for keys, config and indentation.
 */
export function traceBytesBound(cfg: Config, classes: number, evalImages: number): number {
  const w = cfg.layers, B = cfg.batchSize, C = classes, D0 = w[0]!, L = w.length - 1;
  const recurrent = cfg.mode === 'recurrent';
  const k = cfg.optimizer === 'adam' ? 2 : 1; // optimizer state tensors per parameter tensor
  const passes = recurrent ? cfg.iterations + 1 : 1; // a layer's rows are kept once per pass (recurrent: per iteration)
  let f32 = 5 * B * D0 + 3 * B * C; // batch images, neutral and ff input rows, masks; label layers
  let f64 = 10 * B + B * C; // indices, labels, u, wrongMass/offset, wrong, partners, row losses, shifts dx, dy; q
  f32 += B * D0 * (cfg.views === 2 ? 2 : 1); // shifted images (and second views)
  f64 += cfg.views === 2 ? 2 * B : 0; // the second views' dx, dy
  const fanIn = recurrent ? recurrentFanIn(w, C) : w.slice(0, L);
  for (let l = 0; l < L; l++) {
    const H = w[l + 1]!, D = fanIn[l]!;
    f32 += (D * H + H) * (3 + 2 * k) + 2 * H + (cfg.receptiveField !== null ? D * H : 0); // W, b before/after, grads, optimizer before/after; peerMean ×2; mask
    f32 += passes * (2 * B * (2 * D + 4 * H + 2) + (recurrent ? D * H + H + 3 * B * H : 0)); // rows (keep included); recurrent: per-t grads, states
    f64 += passes * (2 * B * 2 + H); // p, loss, peer
  }
  const F = scoredLayerNumbers(cfg).reduce((s, l) => s + w[l]!, 0);
  f32 += (F * C + C) * (2 + 2 * k) + B * (F + 3 * C); // head params, optimizer; features, logits, probs, dLogits
  f32 += evalImages * C * (L + 2); // scores, per-layer goodness, probs
  f64 += evalImages * 3;
  return f32 * BYTES_PER_F32 + f64 * BYTES_PER_F64 + 64 * 1024;
}

/** What to trace: step K (1-based) of the run, then the evaluation of the first N test images (0: none). */
export interface TraceRequest {
  step: number;
  evalImages: number;
}

/**
 * The trace of step `req.step` of the run `cfg` on `data` (the steps before it run as training
 * runs them), then of the evaluation of the first req.evalImages test images. `cfg` is one the
 * caller has checked, against `data` too (checkConfig, checkConfigAgainstData). UserError for a
 * request the run cannot meet (a step past its end, more test images than there are) or a trace
 * that could exceed `maxBytes`.
 */
export function traceRun(cfg: Config, data: Dataset, req: TraceRequest, maxBytes = MAX_TRACE_BYTES, given?: MatmulBackend): Trace {
  const C = data.classes;
  const bound = traceBytesBound(cfg, C, req.evalImages);
  if (bound > maxBytes) {
    throw new UserError(`the trace could reach ${(bound / 1e6).toFixed(1)} MB (limit ${(maxBytes / 1e6).toFixed(0)} MB); use smaller --layers, --batch-size or --eval, e.g. --layers 784,16,8 --batch-size 4`);
  }
  const { perEpoch, total } = stepCounts(cfg, data.train.count);
  if (!Number.isSafeInteger(req.step) || req.step < 1 || req.step > total) {
    throw new UserError(`--step: expected a step from 1 to ${total} (the run's steps: ${cfg.epochs} epoch(s) of ${perEpoch}), got ${req.step}`);
  }
  if (!Number.isSafeInteger(req.evalImages) || req.evalImages < 0 || req.evalImages > data.test.count) {
    throw new UserError(`--eval: expected a number of test images from 0 to ${data.test.count}, got ${req.evalImages}`);
  }
  const backend = given ?? makeBackend(cfg.backend, cfg.threads, () => {});
  try {
    let tracer: StepTracer | null = null;
    let trainer: Trainer | null = null;
    trainSteps(cfg, data, backend, req.step, {
      observeStep(at, tr) {
        if (at.stepsDone !== req.step - 1) return undefined;
        trainer = tr;
        tracer = makeStepTracer(cfg, tr.net, C, backend.matmul.bind(backend));
        return tracer.observer;
      },
    });
    if (tracer === null || trainer === null) throw new Error(`trace: step ${req.step} was not observed`);
    const K = req.step;
    const t = (tracer as StepTracer).finish({ number: K, epoch: Math.floor((K - 1) / perEpoch) + 1, stepInEpoch: ((K - 1) % perEpoch) + 1, stepsPerEpoch: perEpoch, totalSteps: total });
    const trace: Trace = {
      format: TRACE_FORMAT,
      about: `step ${req.step} of a ${cfg.mode} Forward-Forward run, as the trainer took it${req.evalImages > 0 ? `, then the evaluation of ${req.evalImages} test images` : ''} (docs/TRACE.md)`,
      config: { ...cfg },
      dataset: { train: data.train.count, test: data.test.count, rows: data.train.rows, cols: data.train.cols, classes: C },
      ...t,
    };
    if (req.evalImages > 0) trace.evaluation = traceEvaluation(trainer as Trainer, data, req.evalImages, C);
    return trace;
  } finally {
    if (!given) backend.close();
  }
}

/** Where the traced step stands in the run (Trace['step'] without what the step itself shows). */
type StepPlace = Omit<Trace['step'], 'lr' | 'headLr' | 'trainedLayers'>;

interface StepTracer {
  observer: StepObserver;
  finish(place: StepPlace): Omit<Trace, 'format' | 'about' | 'config' | 'dataset' | 'evaluation'>;
}

// The listener on one step: copies what each callback shows into the trace's shape.
function makeStepTracer(cfg: Config, net: Trainer['net'], C: number, mm: MatmulFn<Float32Array>): StepTracer {
  const D0 = net.widths[0]!, recurrent = cfg.mode === 'recurrent';
  const layers: LayerTrace[] = [];
  let B = 0, batch: Trace['batch'] | null = null, negatives: NegativesTrace | undefined, hybrids: Trace['hybrids'], shift: Trace['shift'], pairs: Trace['pairs'];
  const passes: Partial<Record<Pass, PassTrace>> = {};
  let head: Partial<HeadTrace> = {};
  let lr = NaN, headLr = NaN;

  function layerPass(v: LayerView, theta: number, thetaNeg: number): LayerPassTrace {
    const { D, H } = v.params, P = v.rows / 2;
    // z as the step computed it: the step's own when its path has one (the shared first layer),
    // else x̂·W + b, the same product the layer took, plus b, without the ReLU.
    let z = v.z ?? null;
    if (!z) {
      z = new Float32Array(v.rows * H);
      mm(matView(z, v.rows, H), matView(v.acts.xhat, v.rows, D), matView(v.params.W, D, H));
      for (let r = 0; r < v.rows; r++) for (let j = 0; j < H; j++) z[r * H + j] = z[r * H + j]! + v.params.b[j]!;
    }
    const side = (r0: number): RowsTrace => {
      const p = Array.from(v.acts.G.subarray(r0, r0 + P), (G) => sigmoid(G - (r0 === 0 ? theta : thetaNeg)));
      return {
        ...(v.x ? { input: rows32(v.x, r0, P, D) } : {}),
        xhat: rows32(v.acts.xhat, r0, P, D), z: rows32(z, r0, P, H), y: rows32(v.acts.y, r0, P, H),
        ...(v.keep ? { keep: tensor64(v.keep.subarray(r0 * H, (r0 + P) * H), [P, H]) } : {}),
        G: rows32(v.acts.G, r0, P, null), p: tensor64(p, [P]),
      };
    };
    return { ...(recurrent ? { t: v.t } : {}), positive: side(0), negative: side(P) };
  }

  // After the backward: the per-row losses (the library's ffLossRows on each single row; with
  // --loss symba each pair's softplus(α·(G⁻ − G⁺)), on the positive side), dL/dG, dZ, the peer term.
  function addBackward(e: LayerPassTrace, v: LayerView, theta: number, thetaNeg: number): void {
    const H = v.params.H, P = v.positives, scratch = new Float64Array(1), G = v.acts.G;
    const rowLoss = (r: number, positive: boolean): number => ffLossRows(scratch, G.subarray(r, r + 1), 1, positive ? 1 : 0, theta, thetaNeg);
    const symba = cfg.loss === 'symba';
    for (const [side, r0] of [[e.positive, 0], [e.negative, P]] as const) {
      if (symba && r0 === 0) side.loss = tensor64(Array.from({ length: P }, (_, i) => softplus(cfg.symbaAlpha * (G[P + i]! - G[i]!))), [P]);
      else if (!symba) side.loss = tensor64(Array.from({ length: P }, (_, i) => rowLoss(r0 + i, r0 === 0)), [P]);
      side.dLdG = rows32(v.acts.dLdG, r0, P, null);
      side.dZ = rows32(v.acts.dZ, r0, P, H);
    }
    e.loss = v.loss;
    e.peer = v.peer ? tensor64(v.peer, [H]) : null;
    if (recurrent) e.grads = { dW: tensor32(v.params.dW, [v.params.D, H]), db: tensor32(v.params.db, [H]) };
  }

  const observer: StepObserver = {
    onBatch(indices, labels, images) {
      B = labels.length;
      batch = { indices: Array.from(indices), labels: Array.from(labels), images: tensor32(images, [B, D0]) };
    },
    onShift(dx, dy, images, view) {
      const s = { dx: Array.from(dx), dy: Array.from(dy), images: tensor32(images, [B, D0]) };
      if (view === 1) shift = s;
      else shift!.view2 = s;
    },
    onRows(pass, input, rows, labelLayer) {
      passes[pass] = { input: tensor32(input, [rows, D0]), ...(labelLayer ? { labelLayer: tensor32(labelLayer, [rows, C]) } : {}) };
    },
    onIteration(pass, t, states, rows, damping) {
      const p = passes[pass]!;
      (p.iterations ??= []).push({ t, damping, states: states.map((h, l) => tensor32(h, [rows, net.layers[l]!.H])) });
    },
    onLayer(l, phase, v) {
      if (v.pass !== 'ff') return; // the neutral pass's layers: only the head's features and (recurrent) the states are kept
      const { D, H } = v.params;
      const theta = thresholdFor(cfg.goodness, H, cfg.threshold), thetaNeg = cfg.thresholdNeg ?? theta;
      const before = (): ParamsTrace => params(v.params.W, v.params.b, [D, H], v.params.peerMean);
      layers[l] ??= {
        layer: l + 1, D, H, theta, thetaNeg, goodnessScale: goodnessScale(cfg.goodness, H),
        ...(v.params.mask ? { mask: tensor32(Float32Array.from(v.params.mask), [D, H]) } : {}), before: before(), after: before(),
      };
      const e = layers[l]!;
      if (phase === 'forward') {
        const pass = layerPass(v, theta, thetaNeg);
        if (recurrent) (e.iterations ??= []).push(pass);
        else Object.assign(e, pass);
      } else {
        addBackward(recurrent ? e.iterations![e.iterations!.length - 1]! : (e as LayerPassTrace), v, theta, thetaNeg);
        e.after = params(v.params.W, v.params.b, [D, H], v.params.peerMean); // peerMean moved in the backward
      }
    },
    onHead(phase, v) {
      const { F } = v.params;
      if (phase === 'forward') {
        const logits = new Float32Array(v.rows * C);
        mm(matView(logits, v.rows, C), matView(v.feats, v.rows, F), matView(v.params.W, F, C));
        for (let r = 0; r < v.rows; r++) for (let c = 0; c < C; c++) logits[r * C + c] = logits[r * C + c]! + v.params.b[c]!;
        head = {
          scoredLayers: scoredLayerNumbers(cfg), features: tensor32(v.feats, [v.rows, F]), before: params(v.params.W, v.params.b, [F, C]),
          logits: tensor32(logits, [v.rows, C]), probs: tensor32(v.probs, [v.rows, C]),
          rowLoss: tensor64(Array.from({ length: v.rows }, (_, r) => crossEntropyRow(v.probs, r * C, v.labels[r]!)), [v.rows]),
        };
      } else {
        head.loss = v.loss;
        head.dLogits = tensor32(v.dLogits, [v.rows, C]);
      }
    },
    onNegatives(u, wrong, probs) {
      const labels = batch!.labels, uu = Array.from(u), w = Array.from(wrong);
      if (cfg.negatives === 'random') {
        negatives = { mode: 'random', rule: 'wrong = (label + 1 + offset) mod C, offset = floor(u·(C − 1))', u: uu, offset: uu.map((x) => Math.floor(x * (C - 1))), wrong: w };
        return;
      }
      const mass = labels.map((t, r) => wrongMass(probs, r, t, C));
      const q = new Float64Array(B * C);
      for (let r = 0; r < B; r++) for (let c = 0; c < C; c++) q[r * C + c] = c === labels[r] || !(mass[r]! > 0) ? 0 : probs[r * C + c]! / mass[r]!;
      negatives = {
        mode: 'hard',
        rule: 'wrong = the first c ≠ label with u·wrongMass < Σ_{k ≤ c, k ≠ label} probs[k] (uniform over the wrong labels, as random, if wrongMass = 0)',
        u: uu, wrongMass: mass, q: tensor64(q, [B, C]), wrong: w,
      };
    },
    onHybrids(masks, partners) {
      hybrids = { masks: tensor32(masks, [B, D0]), partners: Array.from(partners) };
    },
    onPairs(partners, k) {
      pairs = { k, partners: Array.from(partners) };
    },
    onOptimizer(target, phase, opt, ps, grads, rate) {
      const wShape = target === 'head' ? [net.head.F, C] : [net.layers[target]!.D, net.layers[target]!.H];
      if (phase === 'before') {
        const o = { lr: rate, grads: { dW: tensor32(grads[0]!, wShape), db: tensor32(grads[1]!, [grads[1]!.length]) }, before: optimizerState(opt, wShape) } as OptimizerTrace;
        if (target === 'head') { head.optimizer = o; headLr = rate; } else { layers[target]!.optimizer = o; lr = rate; }
        return;
      }
      if (target === 'head') {
        head.optimizer!.after = optimizerState(opt, wShape);
        head.after = params(ps[0]!, ps[1]!, wShape);
      } else {
        const e = layers[target]!;
        e.optimizer!.after = optimizerState(opt, wShape);
        e.after = params(ps[0]!, ps[1]!, wShape, net.layers[target]!.peerMean);
      }
    },
  };

  return {
    observer,
    finish(place) {
      if (batch === null || passes.ff === undefined) throw new Error('trace: the step showed no batch');
      const b: Trace['batch'] = batch;
      const h = head as HeadTrace;
      return {
        step: { ...place, lr, headLr, trainedLayers: layers.filter((l) => l.optimizer).map((l) => l.layer) },
        batch: b,
        ...(passes.neutral ? { neutral: passes.neutral } : {}),
        ...(negatives ? { negatives } : {}),
        ...(hybrids ? { hybrids } : {}),
        ...(shift ? { shift } : {}),
        ...(pairs ? { pairs } : {}),
        ff: passes.ff,
        head: {
          scoredLayers: h.scoredLayers, features: h.features, before: h.before, logits: h.logits, probs: h.probs, rowLoss: h.rowLoss,
          loss: h.loss, dLogits: h.dLogits, optimizer: h.optimizer, after: h.after,
        },
        layers: layers.map(inOrder),
      };
    },
  };
}

/** A layer's fields in the order of docs/TRACE.md (they were filled in the order the step ran). */
function inOrder(e: LayerTrace): LayerTrace {
  const { layer, D, H, theta, thetaNeg, goodnessScale: s, mask, before, t: _t, positive, negative, loss, peer, grads, iterations, optimizer, after } = e;
  const defined = Object.entries({ positive, negative, loss, peer, grads, iterations, optimizer }).filter(([, v]) => v !== undefined);
  return { layer, D, H, theta, thetaNeg, goodnessScale: s, ...(mask ? { mask } : {}), before, ...Object.fromEntries(defined), after } as LayerTrace;
}

// The evaluation of the first n test images by the trained trainer, through evaluate()'s own observer.
function traceEvaluation(trainer: Trainer, data: Dataset, n: number, C: number): EvaluationTrace {
  const L = trainer.net.layers.length;
  const scores = new Float32Array(n * C), probs = new Float32Array(n * C);
  const perLayer = Array.from({ length: L }, () => new Float32Array(n * C)); // (n, C) each
  let sawScores = false, sawProbs = false;
  const observer: EvalObserver = {
    labelScores(start, m, s, layers) {
      sawScores = true;
      scores.set(s.subarray(0, m * C), start * C);
      layers.forEach((G, l) => {
        for (let r = 0; r < m; r++) for (let c = 0; c < C; c++) perLayer[l]![(start + r) * C + c] = G[c * m + r]!; // (C·m) → (n, C)
      });
    },
    headProbs(start, m, p) {
      sawProbs = true;
      probs.set(p.subarray(0, m * C), start * C);
    },
  };
  const errors = trainer.evaluate(data.test, n, undefined, observer);
  const predict = (m: Float32Array): number[] => Array.from({ length: n }, (_, r) => argmaxRow(m, r, C));
  return {
    images: n,
    labels: Array.from(data.test.labels.subarray(0, n)),
    ...(sawScores ? { scores: tensor32(scores, [n, C]), perLayer: perLayer.map((G, l) => ({ layer: l + 1, G: tensor32(G, [n, C]) })) } : {}),
    ...(sawProbs ? { probs: tensor32(probs, [n, C]) } : {}),
    predicted: { goodness: sawScores ? predict(scores) : null, softmax: sawProbs ? predict(probs) : null },
    errors,
  };
}

/**
 * The trace as JSON text: objects indented by two spaces, every tensor and every array of
 * numbers on one line. Deterministic: key order is the order the trace was built in.
 */
export function traceToJson(value: unknown): string {
  return `${emit(value, '')}\n`;
}

function isLeaf(v: unknown): boolean {
  return v === null || typeof v !== 'object' || (Array.isArray(v) && v.every((e) => e === null || typeof e !== 'object'));
}

/** A value printed on one line: a leaf, or an object whose values are all leaves (a Tensor, the config). */
function isFlat(v: unknown): boolean {
  return isLeaf(v) || (!Array.isArray(v) && Object.values(v as object).every(isLeaf));
}

function emit(v: unknown, indent: string): string {
  if (isFlat(v)) return JSON.stringify(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) return `[\n${v.map((e) => inner + emit(e, inner)).join(',\n')}\n${indent}]`;
  const fields = Object.entries(v as object).map(([k, e]) => `${inner}${JSON.stringify(k)}: ${emit(e, inner)}`);
  return `{\n${fields.join(',\n')}\n${indent}}`;
}
