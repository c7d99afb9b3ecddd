// A JSON trace of ONE supervised Forward-Forward training step: the first step trainSupervised
// takes (same seed streams 'init', 'shuffle', 'negatives', same epochOrder), value by value.
// docs/TRACE.md is the schema. It drives the library's own functions in the order of step() in
// src/ff/supervised.ts and copies what that step overwrites; the only things it computes itself are
// z = x̂·W + b (the trainer never keeps z), p = σ(G − θ) and each row's loss (library helpers).
// Then it runs the real trainer on an identically seeded network and throws if any weight, bias,
// input row or loss differs in one bit: the trace cannot drift from the trainer.
// It does not train further or evaluate. It runs on the configured backend (default wasm); the
// trainer's step it is checked against runs on the same backend.
// Letters: B = images in the step, D0 = pixels, D = a layer's input width, H = its width,
// F = head feature width, C = classes. A layer sees 2B rows: B positive, then B negative.
import { scoredLayerNumbers, type Config } from '../config.ts';
import { checkConfig, checkConfigAgainstData } from '../check-config.ts';
import { UserError } from '../errors.ts';
import { epochOrder, gatherLabels, gatherRows } from '../data/batch.ts';
import type { Dataset } from '../data/dataset.ts';
import { ffLossRows, goodnessScale, sigmoid, thresholdFor } from '../ff/definitions.ts';
import { headBackward, headForward } from '../ff/head.ts';
import { layerBackward, layerForward, type LayerActs, type MatmulFn } from '../ff/layer.ts';
import { hardWrongLabels, randomWrongLabels } from '../ff/negatives.ts';
import { forwardAll, headFeatures, initNetwork, makeWorkspace, type Network } from '../ff/network.ts';
import { overlayLabels, overlayNeutral } from '../ff/overlay.ts';
import { makeSupervisedTrainer } from '../ff/supervised.ts';
import { layerMath, makeOptimizers, type StepStats } from '../ff/trainer.ts';
import { createBackend } from '../linalg/create-backend.ts';
import { matView } from '../linalg/view.ts';
import { Adam } from '../optim/adam.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import { lrAt } from '../optim/schedule.ts';
import { SmoothedSgd } from '../optim/smoothed-sgd.ts';
import { makeRng, type Rng } from '../rng.ts';

/** The `format` field of every trace; bump it when the schema changes (docs/TRACE.md). */
export const TRACE_FORMAT = 'forward-forward-ts/trace/1';
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

export type OptimizerTrace =
  | { kind: 'adam'; t: number; m: ParamsTrace; v: ParamsTrace }
  | { kind: 'sgd'; smoothed: ParamsTrace };

/** The B positive or the B negative rows of one layer's step. */
export interface RowsTrace {
  input: Tensor; // (B, D) x, the layer's input rows
  xhat: Tensor; // (B, D) x̂ = norm(x)
  z: Tensor; // (B, H) x̂·W + b with W, b before the step
  y: Tensor; // (B, H) relu(z)
  G: Tensor; // (B) goodness
  p: Tensor; // (B) σ(G − θ), float64
  loss: Tensor; // (B) per-row FF loss, float64
  dLdG: Tensor; // (B) dL/dG (the 1/(2B) included)
  dZ: Tensor; // (B, H) dL/dz
}

export interface LayerTrace {
  layer: number; // 1-based
  D: number;
  H: number;
  theta: number; // θ
  goodnessScale: number; // s: 1 ('sum') or 1/H ('mean')
  before: ParamsTrace;
  positive: RowsTrace;
  negative: RowsTrace;
  loss: number; // mean of the 2B per-row losses (layerBackward's return value)
  goodPos: number; // the trainer's StepStats: mean G of the positive rows
  goodNeg: number; // mean G of the negative rows
  pairErrors: number; // pairs with G_neg ≥ G_pos
  grads: { dW: Tensor; db: Tensor };
  optimizer: OptimizerTrace; // state after the step
  after: ParamsTrace;
}

export type NegativesTrace =
  | { mode: 'hard'; rule: string; u: number[]; wrongMass: number[]; q: Tensor; wrong: number[] }
  | { mode: 'random'; rule: string; u: number[]; offset: number[]; wrong: number[] };

export interface SupervisedTrace {
  format: string;
  about: string;
  config: Config;
  dataset: { train: number; rows: number; cols: number; classes: number };
  step: { index: number; epoch: number; stepsPerEpoch: number; totalSteps: number; lr: number; headLr: number; trainedLayers: number[] };
  batch: { indices: number[]; labels: number[]; images: Tensor };
  head: {
    scoredLayers: number[];
    neutralLabel: number;
    input: Tensor; // (B, D0) neutral rows
    features: Tensor; // (B, F)
    before: ParamsTrace;
    probs: Tensor; // (B, C)
    loss: number;
    dLogits: Tensor; // (B, C)
    grads: { dW: Tensor; db: Tensor };
    optimizer: OptimizerTrace;
    after: ParamsTrace;
  };
  negatives: NegativesTrace;
  layers: LayerTrace[];
  check: { trainer: string; bitIdentical: boolean };
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

/** Rows r0..r0+R-1 of a row-major (·, C) buffer, as a Tensor (R, C) (or (R) when C is null). */
function rows32(a: Float32Array, r0: number, R: number, C: number | null): Tensor {
  const w = C ?? 1;
  return tensor32(a.subarray(r0 * w, (r0 + R) * w), C === null ? [R] : [R, C]);
}

function params(W: Float32Array, b: Float32Array, wShape: number[], peerMean?: Float32Array): ParamsTrace {
  const out: ParamsTrace = { W: tensor32(W, wShape), b: tensor32(b, [b.length]) };
  if (peerMean) out.peerMean = tensor32(peerMean, [peerMean.length]);
  return out;
}

/** The state() of one of the project's optimisers over [W, b]. */
function optimizerTrace(opt: Optimizer, wShape: number[]): OptimizerTrace {
  const pair = (ts: Float32Array[]): ParamsTrace => params(ts[0]!, ts[1]!, wShape);
  if (opt instanceof Adam) {
    const s = opt.state();
    return { kind: 'adam', t: s.t, m: pair(s.m), v: pair(s.v) };
  }
  if (opt instanceof SmoothedSgd) return { kind: 'sgd', smoothed: pair(opt.state().smoothed) };
  throw new Error('trace: unknown optimizer class');
}

/**
 * Upper bound on the trace's JSON size in bytes for `cfg`: each float32 counted at BYTES_PER_F32,
 * each float64 at BYTES_PER_F64, plus 64 KiB for keys, config and indentation.
 */
export function traceBytesBound(cfg: Config, classes: number): number {
  const w = cfg.layers, B = cfg.batchSize, C = classes;
  const k = cfg.optimizer === 'adam' ? 2 : 1; // optimizer state tensors per parameter tensor
  const run = cfg.greedy ? 1 : w.length - 1; // the first greedy step runs layer 1 only
  let f32 = 2 * B * w[0]!; // batch.images, head.input
  let f64 = 3 * B; // u, wrongMass/offset, indices and labels (as wide as a double, to be safe)
  for (let l = 0; l < run; l++) {
    const D = w[l]!, H = w[l + 1]!;
    f32 += D * H * (3 + k) + H * (5 + k); // W, b before/after, dW, db, optimizer, peerMean ×2
    f32 += 2 * B * (2 * D + 3 * H + 2); // input, x̂, z, y, dZ, G, dLdG
    f64 += 2 * B * 2; // p, loss
  }
  const F = scoredLayerNumbers(cfg).reduce((s, l) => s + w[l]!, 0);
  f32 += (F + 1) * C * (3 + k) + B * (F + 2 * C); // head W, b; features, probs, dLogits
  f64 += B * C; // q
  return f32 * BYTES_PER_F32 + f64 * BYTES_PER_F64 + 64 * 1024;
}

/** Bitwise equality of two float32 arrays (NaNs with equal bits are equal). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

/**
 * The trace of the first supervised training step of `cfg` on `data`. UserError for a config the
 * trace cannot take (another mode, the wasm backend, a trace larger than `maxBytes`, shapes that
 * do not fit the data); a plain Error if the trace and the trainer disagree (a bug).
 */
export function traceSupervisedStep(cfg: Config, data: Dataset, maxBytes = MAX_TRACE_BYTES): SupervisedTrace {
  checkConfig(cfg);
  if (cfg.mode !== 'supervised') throw new UserError(`--mode ${cfg.mode}: the trace covers supervised FF only; use --mode supervised`);
  const C = data.classes;
  const bound = traceBytesBound(cfg, C);
  if (bound > maxBytes) {
    throw new UserError(`the trace could reach ${(bound / 1e6).toFixed(1)} MB (limit ${(maxBytes / 1e6).toFixed(0)} MB); use smaller --layers or --batch-size, e.g. --layers 784,16,8 --batch-size 4`);
  }
  checkConfigAgainstData(cfg, data.train.pixels, data.train.rows, data.train.cols, data.train.count);
  const backend = createBackend(cfg.backend, cfg.threads, () => {});
  const mm: MatmulFn<Float32Array> = backend.matmul.bind(backend);

  // As trainSupervised: network from 'init', the first epoch's order from 'shuffle', step 0's lr.
  const scored1 = scoredLayerNumbers(cfg);
  const net = initNetwork(cfg.layers, scored1, C, makeRng(cfg.seed, 'init'));
  const order = new Int32Array(data.train.count);
  epochOrder(order, makeRng(cfg.seed, 'shuffle'));
  const B = cfg.batchSize, D0 = cfg.layers[0]!, L = net.layers.length;
  const stepsPerEpoch = Math.floor(data.train.count / B);
  const totalSteps = cfg.epochs * stepsPerEpoch;
  const lr = lrAt(cfg.schedule, cfg.lr, 0, totalSteps), headLr = lrAt(cfg.schedule, cfg.headLr, 0, totalSteps);
  const only = cfg.greedy ? 0 : null; // the first greedy phase trains layer 1
  const last = only ?? L - 1;

  // The real trainer's step on its own, identically seeded network: the reference the trace must match.
  const reference = trainerStep(cfg, data, order, lr, headLr, only, mm);

  // The step, in the order of supervised.ts step(), on its own buffers (2B rows).
  const ws = makeWorkspace(net, 2 * B);
  const math = layerMath(cfg);
  const opt = makeOptimizers(cfg, net);
  const images = new Float32Array(B * D0), labels = new Int32Array(B), wrong = new Int32Array(B);
  gatherRows(images, data.train, order, 0, B);
  gatherLabels(labels, data.train, order, 0, B);

  // 1. Neutral pass → head features and probabilities → wrong labels; head step.
  overlayNeutral(ws.input, images, B, D0, C, cfg.neutralLabel);
  const neutralInput = tensor32(ws.input, [B, D0]);
  forwardAll(ws, net, B, math, mm);
  headFeatures(ws, net, B, math);
  const head = net.head, F = head.F;
  const headBefore = params(head.W, head.b, [F, C]);
  headForward(ws.probs, ws.feats, head, B, mm);
  const negRng = makeRng(cfg.seed, 'negatives');
  const negatives = explainNegatives(cfg, labels, ws.probs, B, C, makeRng(cfg.seed, 'negatives', negRng.state()));
  if (cfg.negatives === 'hard') hardWrongLabels(wrong, labels, ws.probs, B, C, negRng);
  else randomWrongLabels(wrong, labels, B, C, negRng);
  negatives.wrong = Array.from(wrong);
  const headLoss = headBackward(ws.dLogits, ws.probs, ws.feats, labels, head, B, mm);
  opt.head.step([head.W, head.b], [head.dW, head.db], headLr);
  const headTrace: SupervisedTrace['head'] = {
    scoredLayers: scored1, neutralLabel: cfg.neutralLabel, input: neutralInput,
    features: tensor32(ws.feats, [B, F]), before: headBefore, probs: tensor32(ws.probs, [B, C]),
    loss: headLoss, dLogits: tensor32(ws.dLogits, [B, C]),
    grads: { dW: tensor32(head.dW, [F, C]), db: tensor32(head.db, [C]) },
    optimizer: optimizerTrace(opt.head, [F, C]), after: params(head.W, head.b, [F, C]),
  };

  // 2. FF: rows 0..B-1 positive (true label), B..2B-1 negative (wrong label); layers bottom-up.
  overlayLabels(ws.input, images, labels, B, D0, C, cfg.labelStrength);
  overlayLabels(ws.input.subarray(B * D0), images, wrong, B, D0, C, cfg.labelStrength);
  const ffInput = ws.input.slice(0, 2 * B * D0);
  const layers: LayerTrace[] = [];
  const losses: number[] = [];
  let x = ws.input;
  for (let l = 0; l <= last; l++) {
    const layer = net.layers[l]!, acts = ws.acts[l]!, { D, H } = layer, R = 2 * B;
    const theta = thresholdFor(math.goodness, H, math.threshold);
    const before = params(layer.W, layer.b, [D, H], layer.peerMean);
    const input = x.slice(0, R * D);
    layerForward(acts, x, layer, R, math, mm);
    // z for the trace only: the same product layerForward took, plus b, without the ReLU.
    const z = new Float32Array(R * H);
    mm(matView(z, R, H), matView(acts.xhat, R, D), matView(layer.W, D, H));
    for (let r = 0; r < R; r++) for (let j = 0; j < H; j++) z[r * H + j] = z[r * H + j]! + layer.b[j]!;
    const loss = layerBackward(acts, layer, R, B, math, mm);
    opt.layers[l]!.step([layer.W, layer.b], [layer.dW, layer.db], lr);
    losses.push(loss);
    const s = reference.stats.layers[l]!;
    layers.push({
      layer: l + 1, D, H, theta, goodnessScale: goodnessScale(math.goodness, H), before,
      positive: rowsTrace(input, acts, z, 0, B, D, H, true, theta),
      negative: rowsTrace(input, acts, z, B, B, D, H, false, theta),
      loss, goodPos: s.goodPos, goodNeg: s.goodNeg, pairErrors: s.pairErrors,
      grads: { dW: tensor32(layer.dW, [D, H]), db: tensor32(layer.db, [H]) },
      optimizer: optimizerTrace(opt.layers[l]!, [D, H]),
      after: params(layer.W, layer.b, [D, H], layer.peerMean),
    });
    x = acts.y;
  }
  compareWithTrainer(reference, net, ffInput, losses, headLoss);
  backend.close();

  return {
    format: TRACE_FORMAT,
    about: 'one supervised Forward-Forward training step: the first step of trainSupervised (docs/TRACE.md)',
    config: { ...cfg },
    dataset: { train: data.train.count, rows: data.train.rows, cols: data.train.cols, classes: C },
    step: { index: 0, epoch: 1, stepsPerEpoch, totalSteps, lr, headLr, trainedLayers: layers.map((t) => t.layer) },
    batch: { indices: Array.from(order.subarray(0, B)), labels: Array.from(labels), images: tensor32(images, [B, D0]) },
    head: headTrace,
    negatives,
    layers,
    check: { trainer: 'makeSupervisedTrainer(...).step(train, order, 0, B, lr, headLr, greedy ? 0 : null)', bitIdentical: true },
  };
}

// One side (positive from row 0, negative from row B) of a layer's step. p = σ(G − θ); the row's
// loss is ffLossRows on that single row (the library's own softplus(θ − G) or softplus(G − θ)).
function rowsTrace(
  input: Float32Array, acts: LayerActs<Float32Array>,
  z: Float32Array, r0: number, B: number, D: number, H: number, positive: boolean, theta: number,
): RowsTrace {
  const p = new Float64Array(B), loss = new Float64Array(B), scratch = new Float64Array(1);
  for (let r = 0; r < B; r++) {
    const G = acts.G.subarray(r0 + r, r0 + r + 1);
    p[r] = sigmoid(G[0]! - theta);
    loss[r] = ffLossRows(scratch, G, 1, positive ? 1 : 0, theta);
  }
  return {
    input: rows32(input, r0, B, D), xhat: rows32(acts.xhat, r0, B, D), z: rows32(z, r0, B, H),
    y: rows32(acts.y, r0, B, H), G: rows32(acts.G, r0, B, null), p: tensor64(p, [B]), loss: tensor64(loss, [B]),
    dLdG: rows32(acts.dLdG, r0, B, null), dZ: rows32(acts.dZ, r0, B, H),
  };
}

// Why each wrong label: the uniform u the negatives function will draw for each row (read from a
// copy of the 'negatives' stream, one draw per row as negatives.ts promises) and, for 'hard', the
// distribution q over the wrong labels it samples from. `wrong` is filled in by the caller from
// the real function's output.
function explainNegatives(cfg: Config, labels: Int32Array, probs: Float32Array, B: number, C: number, copy: Rng): NegativesTrace {
  const u = Array.from({ length: B }, () => copy.uniform());
  if (cfg.negatives === 'random') {
    return { mode: 'random', rule: 'wrong = (label + 1 + offset) mod C, offset = floor(u·(C − 1))', u, offset: u.map((v) => Math.floor(v * (C - 1))), wrong: [] };
  }
  const mass: number[] = [], q = new Float64Array(B * C);
  for (let r = 0; r < B; r++) {
    let m = 0;
    for (let c = 0; c < C; c++) if (c !== labels[r]) m += probs[r * C + c]!;
    mass.push(m);
    for (let c = 0; c < C; c++) q[r * C + c] = c === labels[r] || !(m > 0) ? 0 : probs[r * C + c]! / m;
  }
  return {
    mode: 'hard',
    rule: 'wrong = the first c ≠ label with u·wrongMass < Σ_{k ≤ c, k ≠ label} probs[k] (uniform over the wrong labels if wrongMass = 0)',
    u, wrongMass: mass, q: tensor64(q, [B, C]), wrong: [],
  };
}

interface TrainerStep {
  net: Network; // the trainer's network after its step
  input: Float32Array; // (2B, D0) its FF input rows, positives then negatives
  stats: StepStats; // what step() returned
}

// The real trainer's first step, on a network initialised from the same seed.
function trainerStep(
  cfg: Config, data: Dataset, order: Int32Array, lr: number, headLr: number, only: number | null, mm: MatmulFn<Float32Array>,
): TrainerStep {
  const C = data.classes, B = cfg.batchSize;
  const net = initNetwork(cfg.layers, scoredLayerNumbers(cfg), C, makeRng(cfg.seed, 'init'));
  const trainer = makeSupervisedTrainer(cfg, net, C, mm, makeRng(cfg.seed, 'negatives'));
  const stats = trainer.step(data.train, order, 0, B, lr, headLr, only);
  return { net, input: trainer.ws.input.slice(0, 2 * B * cfg.layers[0]!), stats };
}

// Demand the same bits as the trainer: every layer's W, b and peerMean, the head's W and b, the
// FF input rows (so the same wrong labels) and the losses. A difference is a bug in this file.
function compareWithTrainer(ref: TrainerStep, traced: Network, ffInput: Float32Array, losses: number[], headLoss: number): void {
  const drift: string[] = [];
  ref.net.layers.forEach((l, i) => {
    const t = traced.layers[i]!;
    if (!sameBits(l.W, t.W)) drift.push(`layer ${i + 1} W`);
    if (!sameBits(l.b, t.b)) drift.push(`layer ${i + 1} b`);
    if (!sameBits(l.peerMean, t.peerMean)) drift.push(`layer ${i + 1} peerMean`);
  });
  if (!sameBits(ref.net.head.W, traced.head.W) || !sameBits(ref.net.head.b, traced.head.b)) drift.push('head W/b');
  if (!sameBits(ref.input, ffInput)) drift.push('FF input rows (labels or wrong labels)');
  losses.forEach((loss, l) => { if (!Object.is(loss, ref.stats.layers[l]!.loss)) drift.push(`layer ${l + 1} loss`); });
  if (!Object.is(headLoss, ref.stats.headLoss)) drift.push('head loss');
  if (drift.length > 0) {
    throw new Error(`trace: differs from makeSupervisedTrainer's step in ${drift.join(', ')}; src/io/trace.ts no longer follows step() in src/ff/supervised.ts`);
  }
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
