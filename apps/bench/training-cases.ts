// Training and evaluation speed on the wasm backend: examples/s of (a) the FF step of all layers
// on B positive + B negative rows with Adam (trainLayers: the work torch_ff.py times), (b) the
// full supervised trainer step (neutral pass + head + layers) of three configs — 'default',
// 'hinton' and the 4×2000 net at B = 1000 (torch_ff.py's semantics) — with the shortcuts on and
// off (cfg.shortcuts), each with its dense-equivalent GFLOP/s (the plain step's matmul flops ÷ the
// time); and images/s of the 10-label goodness evaluation, each with the share of its time spent
// inside matmul calls. Inputs are real MNIST rows. Times the project's own trainer code and
// changes none of it. B = images per step.
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.ts';
import { checkConfig } from '../../src/run/check-config.ts';
import { applyPreset } from '../../src/config/presets.ts';
import { gatherLabels, gatherRows } from '../../src/data/batch.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { drawWrongLabels } from '../../src/ff/inputs/negatives.ts';
import { makeWorkspace } from '../../src/ff/network.ts';
import { overlayPositiveNegative } from '../../src/ff/inputs/overlay.ts';
import { makeOptimizers, trainLayers } from '../../src/ff/trainer.ts';
import { contextOf, layerMath } from '../../src/ff/context.ts';
import type { MatmulBackend } from '../../src/linalg/backend.ts';
import { INLINE_ROWS } from '../../src/linalg/row-runner.ts';
import { makeRng } from '../../src/rng.ts';
import { buildNetwork, makeTrainer } from '../../src/run/train-run.ts';
import { timeClean, type GuardOptions, type TimedBlock } from './guard.ts';
import { timedBackend, type TimedBackend } from './timed-backend.ts';
import { rowFromBlock, type Row } from './summary.ts';

export interface TrainingBenchConfig {
  layers: number[]; // the timed network, [784, 2000, 2000, 2000, 2000] (quick: smaller)
  batch: number; // B of the FF steps (1000)
  evalImages: number; // test images of the goodness evaluation (1000)
  stepReps: number; // timed steps per case
  evalReps: number; // timed evaluations
  hintonReps: number; // timed steps of the 'hinton' preset's network (fast: batch 100)
  seed: number;
}

/**
 * The PyTorch reference's semantics (torch_ff.py): L2-normalised inputs, goodness = mean of
 * squares with θ = 2, Adam lr 0.03, random wrong labels, label value 1 (the images' max pixel).
 */
export function torchLikeConfig(layers: number[], batch: number, threads: number, seed: number): Config {
  const cfg: Config = {
    ...DEFAULT_CONFIG, preset: 'bench (PyTorch reference semantics)', layers, batchSize: batch,
    optimizer: 'adam', lr: 0.03, schedule: 'constant', norm: 'l2', goodness: 'mean', threshold: null,
    peerNorm: 0, negatives: 'random', labelStrength: 1, greedy: false, scoredLayers: 'all',
    seed, threads, backend: 'wasm', quiet: true,
  };
  checkConfig(cfg);
  return cfg;
}

/** timeClean, plus the fraction of the kept block's time spent in `tb`'s matmul calls. */
function timeWithShare(fn: () => void, reps: number, guard: GuardOptions, tb: TimedBackend): { block: TimedBlock; share: number } {
  const perCall: number[] = []; // matmul ms of every call of fn, warm-ups and retries included
  const block = timeClean(() => {
    const m0 = tb.ms();
    fn();
    perCall.push(tb.ms() - m0);
  }, reps, 1, guard);
  const inMatmul = perCall.slice(-reps).reduce((a, b) => a + b, 0); // the kept block is the last
  const total = block.seconds.reduce((a, b) => a + b, 0) * 1000;
  return { block, share: inMatmul / total };
}

/** '784-2000-2000-2000-2000' */
export const layersName = (layers: number[]): string => layers.join('-');

function meta(section: string, id: string, label: string, threads: number, unit: string): Pick<Row, 'section' | 'id' | 'label' | 'backend' | 'threads' | 'unit'> {
  return { section, id, label, backend: 'wasm', threads, unit };
}

// (a) trainLayers alone on 2B rows: positives (true label written in) then negatives (a random
// wrong label), the first B training images, made by the supervised step's own functions. The
// weights move every step, as in torch_ff.py.
function benchLayersStep(cfg: Config, data: Dataset, backend: MatmulBackend, reps: number, guard: GuardOptions): Row {
  const B = cfg.batchSize, D0 = cfg.layers[0]!, C = data.classes;
  const net = buildNetwork(cfg, C);
  const ws = makeWorkspace(net, 2 * B);
  const opt = makeOptimizers(cfg, net, backend.rows);
  const math = layerMath(cfg);
  const tb = timedBackend(backend);
  const mm = tb.backend.matmul;
  const ctx = contextOf(mm, math, backend.rows);
  const order = new Int32Array(B).map((_, i) => i);
  const images = new Float32Array(B * D0);
  const labels = new Int32Array(B), wrong = new Int32Array(B);
  gatherRows(images, data.train, order, 0, B);
  gatherLabels(labels, data.train, order, 0, B);
  drawWrongLabels(cfg.negatives, wrong, labels, ws.probs, B, C, makeRng(cfg.seed, 'bench-negatives'));
  overlayPositiveNegative(ws.input, images, labels, wrong, B, D0, C, cfg.labelStrength);
  let loss = 0;
  const { block, share } = timeWithShare(() => {
    loss = trainLayers(ctx, ws, net, opt.layers, { B, lr: cfg.lr, only: null, drop: null })[0]!.loss;
  }, reps, guard, tb);
  if (!Number.isFinite(loss)) throw new Error(`bench: the FF layers step diverged (layer 1 loss ${loss})`);
  const row = rowFromBlock(block, B, 1, meta('step', 'ff-layers', `FF layers step ${layersName(cfg.layers)} B=${B} (2B rows, Adam)`, backend.threads, 'examples/s'));
  return { ...row, matmulShare: share };
}

// (eval) the goodness evaluation of a freshly initialised network on the first evalImages test images.
function benchEval(cfg: Config, data: Dataset, backend: MatmulBackend, t: TrainingBenchConfig, guard: GuardOptions): Row {
  const tb = timedBackend(backend);
  const trainer = makeTrainer(cfg, buildNetwork(cfg, data.classes), data, tb.backend);
  const n = t.evalImages;
  const evaluation = timeWithShare(() => void trainer.evaluate(data.test, n, ['goodness']), t.evalReps, guard, tb);
  return { ...rowFromBlock(evaluation.block, n, 1, meta('eval', 'eval', `goodness eval ${layersName(cfg.layers)}, ${n} images × ${data.classes} labels`, backend.threads, 'images/s')), matmulShare: evaluation.share };
}

/** A timed step config: its row id ('-plain' is appended for the shortcuts off) and its config. */
export interface StepCase { id: string; cfg: Config; reps: number }

/**
 * The full steps the bench times: 'default', 'hinton' (batch 100) and 'trainer', the 4×2000 net
 * at B = 1000 with torch_ff.py's semantics (--quick: t.layers, t.batch).
 */
export function stepCases(t: TrainingBenchConfig, threads: number): StepCase[] {
  const preset = (name: string): Config => {
    const cfg = applyPreset({ ...DEFAULT_CONFIG, seed: t.seed, threads, quiet: true }, name);
    checkConfig(cfg);
    return cfg;
  };
  return [
    { id: 'default', cfg: preset('default'), reps: t.hintonReps },
    { id: 'hinton', cfg: preset('hinton'), reps: t.hintonReps },
    { id: 'trainer', cfg: torchLikeConfig(t.layers, t.batch, threads, t.seed), reps: t.stepReps },
  ];
}

/** 2·M·N·K summed over the matmul calls of one plain (shortcuts off) step of cfg. */
export function plainStepFlops(cfg: Config, data: Dataset): number {
  let flops = 0;
  const counting: MatmulBackend = {
    name: 'count', threads: 1, close: () => {}, rows: INLINE_ROWS,
    matmul: (_c, a, b) => void (flops += 2 * a.shape[0]! * a.shape[1]! * b.shape[1]!), // counts; computes nothing
  };
  const plain = { ...cfg, shortcuts: false };
  const trainer = makeTrainer(plain, buildNetwork(plain, data.classes), data, counting);
  const order = new Int32Array(data.train.count).map((_, i) => i);
  trainer.step({ split: data.train, order, start: 0, B: cfg.batchSize, lr: cfg.lr, headLr: cfg.headLr, only: null });
  return flops;
}

// (b) the full supervised step of one case on the first B training images, with cfg.shortcuts as
// given. denseGflops: the plain step's flops ÷ this step's median time.
function benchFullStep(c: StepCase, shortcuts: boolean, plainFlops: number, data: Dataset, backend: MatmulBackend, guard: GuardOptions): Row {
  const cfg: Config = { ...c.cfg, shortcuts };
  const B = cfg.batchSize;
  const tb = timedBackend(backend);
  const trainer = makeTrainer(cfg, buildNetwork(cfg, data.classes), data, tb.backend);
  const order = new Int32Array(data.train.count).map((_, i) => i);
  let loss = 0;
  const { block, share } = timeWithShare(() => {
    loss = trainer.step({ split: data.train, order, start: 0, B, lr: cfg.lr, headLr: cfg.headLr, only: null }).layers[0]!.loss;
  }, c.reps, guard, tb);
  if (!Number.isFinite(loss)) throw new Error(`bench: the ${c.id} step diverged (layer 1 loss ${loss})`);
  const name = c.id === 'trainer' ? 'trainer step' : `trainer step '${c.id}'`;
  const row = rowFromBlock(block, B, 1, meta('step', shortcuts ? c.id : `${c.id}-plain`,
    `${name} ${layersName(cfg.layers)} B=${B}, shortcuts ${shortcuts ? 'on' : 'off'}`, backend.threads, 'examples/s'));
  return { ...row, matmulShare: share, denseGflops: (plainFlops * row.median) / B / 1e9 };
}

/** All training and evaluation rows, for each wasm backend in turn. data.train needs ≥ batch rows. */
export function benchTraining(t: TrainingBenchConfig, data: Dataset, backends: MatmulBackend[], guard: GuardOptions, progress: (msg: string) => void): Row[] {
  const rows: Row[] = [];
  for (const be of backends) {
    // The workers load the row kernels in the background; time the steps once they share them.
    if (be.threads > 1 && !be.rows.waitUntilShared(60_000)) progress(`warning: the row jobs run on the calling thread only (${be.threads} threads)`);
    const cfg = torchLikeConfig(t.layers, t.batch, be.threads, t.seed);
    progress(`FF layers step, ${be.threads} thread(s)`);
    rows.push(benchLayersStep(cfg, data, be, t.stepReps, guard));
    for (const c of stepCases(t, be.threads)) {
      const flops = plainStepFlops(c.cfg, data);
      for (const shortcuts of [true, false]) {
        progress(`${c.id} step, shortcuts ${shortcuts ? 'on' : 'off'}, ${be.threads} thread(s)`);
        rows.push(benchFullStep(c, shortcuts, flops, data, be, guard));
      }
    }
    progress(`evaluation, ${be.threads} thread(s)`);
    rows.push(benchEval(cfg, data, be, t, guard));
  }
  return rows;
}
