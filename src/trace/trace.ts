// A JSON trace of training step K of any FF mode (supervised, unsupervised, recurrent), and
// optionally of the evaluation of N test images after it. docs/TRACE.md is the schema.
// The run is the real one (trainSteps in src/run/train-run.ts: same seed streams, same order, same
// learning rates); the trace is a listener (StepObserver) on step K and an EvalObserver on the
// evaluation that copies what the trainer shows it into JSON. It computes only what the trainer
// does not keep: z = x̂·W + b, the logits, p = σ(G − θ), the per-row losses and the hard
// negatives' sampling distribution q. B = images of the step, D0 = pixels, D = a layer's input
// width, H = its width, F = the head's feature width, C = classes, T = recurrent iterations.
// The shapes and tensor encoders are schema.ts's, the listener on step K is step-tracer.ts's; this
// file runs the run (traceRun), observes the evaluation and writes the JSON (traceToJson).
import { scoredLayerNumbers, type Config } from '../config/config.ts';
import { UserError } from '../errors.ts';
import type { Dataset } from '../data/dataset.ts';
import { argmaxRow } from '../ff/network.ts';
import { recurrentFanIn } from '../ff/modes/recurrent.ts';
import type { EvalObserver, Trainer } from '../ff/trainer.ts';
import type { MatmulBackend } from '../linalg/backend.ts';
import { makeBackend } from '../run/backend.ts';
import { stepCounts, trainSteps } from '../run/train-run.ts';
import { tensor32, TRACE_FORMAT, type EvaluationTrace, type Trace } from './schema.ts';
import { makeStepTracer, type StepTracer } from './step-tracer.ts';

/** Refuse a trace that could be larger than this many bytes of JSON. */
export const MAX_TRACE_BYTES = 50e6;
/** Upper bound on the JSON length of one float32 value and its comma ("-0.00000123456789,"). */
const BYTES_PER_F32 = 18;
/** Upper bound for a float64 value ("-1.2345678901234567e-100,"). */
const BYTES_PER_F64 = 26;

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
    // W, b before/after, grads, optimizer before/after; peerMean ×2; mask
    f32 += (D * H + H) * (3 + 2 * k) + 2 * H + (cfg.receptiveField !== null ? D * H : 0);
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
    throw new UserError(`the trace could reach ${(bound / 1e6).toFixed(1)} MB (limit ${(maxBytes / 1e6).toFixed(0)} MB); ` +
      'use smaller --layers, --batch-size or --eval, e.g. --layers 784,16,8 --batch-size 4');
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
    const t = (tracer as StepTracer).finish({
      number: K, epoch: Math.floor((K - 1) / perEpoch) + 1, stepInEpoch: ((K - 1) % perEpoch) + 1, stepsPerEpoch: perEpoch, totalSteps: total,
    });
    const trace: Trace = {
      format: TRACE_FORMAT,
      about: `step ${req.step} of a ${cfg.mode} Forward-Forward run, as the trainer took it` +
        `${req.evalImages > 0 ? `, then the evaluation of ${req.evalImages} test images` : ''} (docs/TRACE.md)`,
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
