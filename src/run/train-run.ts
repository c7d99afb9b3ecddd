// A training run of any FF mode: epochs of shuffled minibatches, per-epoch statistics, and the
// final evaluation. scripts/train.ts wraps it with flags and printing; the golden tests call it
// directly. Every random draw comes from `cfg.seed` through named streams (init, shuffle,
// negatives, masks, shift, dropout); with the same seed, config and backend the run is the same to the bit.
// Between any two steps the run's whole state can be captured (RunState) and the run continued
// from it later, to the same bits; the divergence guard (divergence.ts) checks every step.
import { scoredLayerNumbers, type Config } from '../config/config.ts';
import type { Dataset } from '../data/dataset.ts';
import { epochOrder } from '../data/batch.ts';
import { inputProduct, type MatmulBackend } from '../linalg/backend.ts';
import { lrAt } from '../optim/schedule.ts';
import { makeRng, type Rng } from '../rng.ts';
import type { OptimizerState } from '../optim/optimizer.ts';
import { checkStepFinite, checkWeightsFinite } from './divergence.ts';
import { initNetwork, type Network } from '../ff/network.ts';
import { layerMasks } from '../ff/inputs/receptive-field.ts';
import { makeSupervisedTrainer } from '../ff/modes/supervised.ts';
import type { StepObserver } from '../ff/step-observer.ts';
import { makeOptimizers, type EvalObserver, type StepStats, type TestErrors, type Trainer } from '../ff/trainer.ts';
import { makeUnsupervisedTrainer } from '../ff/modes/unsupervised.ts';
import { initRecurrentNetwork, makeRecurrentTrainer } from '../ff/modes/recurrent.ts';

export interface LayerEpochStats {
  loss: number; // mean FF loss over the epoch's steps
  goodPos: number; // mean goodness of positive rows
  goodNeg: number; // mean goodness of negative rows
  pairError: number; // fraction of (positive, negative) pairs with G_neg ≥ G_pos
}

export interface EpochReport {
  epoch: number; // 1-based
  trainingLayer: number | null; // greedy: the 1-based layer this epoch trained; 0: a readout epoch (the head alone); null: all layers
  layers: LayerEpochStats[];
  headLoss: number; // mean cross-entropy of the head
  validation: TestErrors | null; // error fractions, if --validation
  seconds: number; // wall time of the epoch's training steps
  examplesPerSecond: number; // training images per second
  validationSeconds?: number; // wall time of the epoch's validation (absent in histories written before it was kept)
}

export interface RunHooks {
  onStep?(done: number, total: number, stats: StepStats): void; // after each step: images done in this epoch, the step's statistics
  onEpoch?(report: EpochReport, trainer: Trainer): void; // after each epoch trained in this process (and its validation)
  testObserver?: EvalObserver; // sees the final test evaluation chunk by chunk (the report's analysis)
  observeStep?(at: RunPosition, trainer: Trainer): StepObserver | undefined; // before each step: an observer for it, or none (the trace)
  // Between two steps (after every step, and after each epoch's report): `at` is where the run
  // stands, `snapshot` captures everything needed to continue from here (it first checks every
  // weight is finite). A hook may write a checkpoint, or throw to stop the run.
  betweenSteps?(at: RunPosition, snapshot: () => RunState): void;
}

/** A point between two steps. */
export interface RunPosition {
  stepsDone: number; // steps done since the start of the run (of all epochs and phases)
  totalSteps: number; // steps of the whole run
  epoch: number; // 1-based number of the epoch the next step belongs to (or that just ended)
  step: number; // steps done in that epoch
  epochEnded: boolean; // the epoch's last step was just taken and its report made
}

/** Sums of one layer's step statistics over the steps of an epoch so far. */
export interface LayerSums {
  loss: number;
  goodPos: number;
  goodNeg: number;
  pairErrors: number;
}

/** The named random streams a run draws from after building its network. */
export const RUN_STREAMS = ['shuffle', 'negatives', 'masks', 'shift', 'dropout'] as const;
export type RunStream = (typeof RUN_STREAMS)[number];

/**
 * Everything a run needs to continue between two steps, with the same bits as if it had not
 * stopped (src/model/checkpoint.ts stores it). `net` and `order` are the live arrays of the run.
 */
export interface RunState {
  phase: number; // next step: greedy phase (the 0-based layer trained; 0 when not greedy)
  epoch: number; // next step: 0-based epoch within the phase
  step: number; // next step: 0-based step within the epoch (0: the epoch's order is not drawn yet)
  order: Int32Array; // the current epoch's order of training images (drawn at its step 0)
  sums: LayerSums[]; // the current epoch's per-layer sums so far
  headLoss: number; // the current epoch's summed head loss so far
  epochSeconds: number; // wall time of the current epoch's steps so far
  trainSeconds: number; // wall time of all finished epochs' steps
  examples: number; // training images of all finished epochs
  firstLosses: number[]; // as RunResult.firstLosses, so far
  epochs: EpochReport[]; // reports of the finished epochs
  net: Network; // weights, biases and peer-normalisation means
  optimizers: { layers: OptimizerState[]; head: OptimizerState };
  streams: Record<RunStream, object>; // the state of each named random stream
}

export interface RunResult {
  net: Network;
  epochs: EpochReport[]; // every epoch of the run, also those before a resume
  test: TestErrors;
  trainSeconds: number;
  examplesPerSecond: number;
  firstLosses: number[]; // FF loss of layer 1 at each of the first 20 steps (golden tests)
}

/** The named streams of a run, fresh from the seed or continued from saved states. */
export function makeStreams(seed: number, states?: Record<RunStream, object>): Record<RunStream, Rng> {
  return Object.fromEntries(RUN_STREAMS.map((name) => [name, makeRng(seed, name, states?.[name])])) as Record<RunStream, Rng>;
}

/** The trainer of cfg.mode for this network, drawing from `streams` (negatives or masks). */
export function makeTrainer(
  cfg: Config, net: Network, data: Dataset, backend: MatmulBackend, streams: Record<RunStream, Rng> = makeStreams(cfg.seed),
): Trainer {
  const mm = backend.matmul.bind(backend);
  const withRows = { mm, par: backend.rows, inputMm: inputProduct(backend, cfg.sparseInput), side: backend.side };
  switch (cfg.mode) {
    case 'supervised':
      return makeSupervisedTrainer(cfg, net, data.classes, withRows, streams);
    case 'unsupervised':
      return makeUnsupervisedTrainer(cfg, net, { classes: data.classes, rows: data.train.rows, cols: data.train.cols }, withRows, streams);
    case 'recurrent':
      return makeRecurrentTrainer(cfg, net, data.classes, { mm }, streams);
  }
}

/** A freshly initialised network of cfg.mode's shape (weights from the 'init' stream). */
export function buildNetwork(cfg: Config, classes: number): Network {
  const rng = makeRng(cfg.seed, 'init');
  return cfg.mode === 'recurrent'
    ? initRecurrentNetwork(cfg.layers, classes, scoredLayerNumbers(cfg), rng, cfg.initScale)
    : initNetwork({
      widths: cfg.layers, scored: scoredLayerNumbers(cfg), classes,
      masks: layerMasks(cfg.receptiveField, cfg.layers, cfg.mode === 'supervised' ? classes : 0), scale: cfg.initScale,
    }, rng);
}

/**
 * Steps per epoch (the last partial batch is dropped), phases, epochs and steps of the whole run.
 * The FF phases come first (one, or, greedy, one per layer, each of cfg.epochs epochs); with
 * cfg.readoutEpochs > 0 a last phase of that many epochs trains the head alone on frozen layers.
 */
export function stepCounts(cfg: Config, trainCount: number): { perEpoch: number; phases: number; epochs: number; total: number } {
  const perEpoch = Math.floor(trainCount / cfg.batchSize);
  const ff = ffPhases(cfg);
  const epochs = cfg.epochs * ff + cfg.readoutEpochs;
  return { perEpoch, phases: ff + (cfg.readoutEpochs > 0 ? 1 : 0), epochs, total: perEpoch * epochs };
}

/** The FF phases of a run: 1, or, greedy, one per layer (every layer gets all the epochs, one layer after another). */
function ffPhases(cfg: Config): number {
  return cfg.greedy ? cfg.layers.length - 1 : 1;
}

/**
 * trainRun's `restore` for a new readout of trained layers: the run starts at its readout phase
 * (cfg.readoutEpochs > 0), its layers a copy of `trained`'s (weights, biases, peer means), its head
 * at zero as a fresh network's is, its streams and optimizers fresh from the seed.
 */
export function readoutStart(trained: Network, cfg: Config): (fresh: RunState) => RunState {
  if (cfg.readoutEpochs <= 0) throw new Error('readoutStart: the config has no readout epochs');
  return (fresh: RunState): RunState => {
    const net = fresh.net;
    if (trained.layers.length !== net.layers.length || trained.layers.some((l, i) => l.W.length !== net.layers[i]!.W.length)) {
      throw new Error('readoutStart: the trained network does not have the config\'s layers');
    }
    trained.layers.forEach((l, i) => {
      const to = net.layers[i]!;
      to.W.set(l.W); to.b.set(l.b); to.peerMean.set(l.peerMean);
    });
    net.head.W.fill(0); net.head.b.fill(0);
    return { ...fresh, phase: ffPhases(cfg) };
  };
}

/** Epochs of phase `phase` (0-based): cfg.epochs for an FF phase, cfg.readoutEpochs for the readout. */
export function phaseEpochs(cfg: Config, phase: number): number {
  return phase < ffPhases(cfg) ? cfg.epochs : cfg.readoutEpochs;
}

/** Epochs of the phases before phase `phase` (0-based; `phase` may be the number of phases: the whole run). */
export function epochsBefore(cfg: Config, phase: number): number {
  const ff = ffPhases(cfg);
  return Math.min(phase, ff) * cfg.epochs + Math.max(0, phase - ff) * cfg.readoutEpochs;
}

/** Which layer a step of phase `phase` trains: null = all, l = only layer l (greedy), -1 = none (the readout: the head alone). */
function phaseLayers(cfg: Config, phase: number): number | null {
  if (phase >= ffPhases(cfg)) return -1;
  return cfg.greedy ? phase : null;
}

const zeroSums = (L: number): LayerSums[] => Array.from({ length: L }, () => ({ loss: 0, goodPos: 0, goodNeg: 0, pairErrors: 0 }));

// A run from the seed, or, with `restore`, from a saved state: restore receives the fresh state
// (the new network's live arrays, the fresh optimizer states as templates) and returns the state
// to continue from, having filled the network and order arrays in place.
export function trainRun(
  cfg: Config, data: Dataset, backend: MatmulBackend, hooks: RunHooks = {}, restore?: (fresh: RunState) => RunState,
): RunResult {
  const run = runSteps(cfg, data, backend, hooks, restore);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
  }
}

// The first `steps` steps of the run, exactly as trainRun takes them (an epoch that ends on the
// way also gets its report and validation), then stop: the run's state after step `steps`, its
// network the live one the steps trained. 1 ≤ steps ≤ stepCounts(...).total.
export function trainSteps(cfg: Config, data: Dataset, backend: MatmulBackend, steps: number, hooks: RunHooks = {}): RunState {
  let state: RunState | null = null;
  const run = runSteps(cfg, data, backend, {
    ...hooks,
    betweenSteps(at, snapshot) {
      hooks.betweenSteps?.(at, snapshot);
      if (at.stepsDone === steps) state = snapshot();
    },
  });
  while (state === null) {
    if (run.next().done) throw new Error(`trainSteps: the run has fewer than ${steps} steps`);
  }
  return state;
}

// trainRun that lets the event loop turn between two steps, so that signal handlers (which only
// set a flag the betweenSteps hook reads) run during a long training, or a browser worker reads
// its messages (pause, resume). `turn` is awaited between steps: by default one turn of Node's
// event loop. The same steps, the same bits.
export async function trainRunYielding(
  cfg: Config, data: Dataset, backend: MatmulBackend, hooks: RunHooks = {}, restore?: (fresh: RunState) => RunState,
  turn: () => Promise<void> = () => new Promise<void>((resolve) => setImmediate(resolve)),
): Promise<RunResult> {
  const run = runSteps(cfg, data, backend, hooks, restore);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
    await turn();
  }
}

// The run itself, as a generator that pauses after each betweenSteps hook.
function* runSteps(
  cfg: Config, data: Dataset, backend: MatmulBackend, hooks: RunHooks, restore?: (fresh: RunState) => RunState,
): Generator<void, RunResult> {
  const net = buildNetwork(cfg, data.classes);
  const n = data.train.count, B = cfg.batchSize;
  const L = net.layers.length;
  const { perEpoch: stepsPerEpoch, phases, epochs: runEpochs, total: runTotal } = stepCounts(cfg, n);
  const optimizerStates = (opt: Trainer['opt']): RunState['optimizers'] => ({ layers: opt.layers.map((o) => o.state()), head: opt.head.state() });
  const streamStates = (st: Record<RunStream, Rng>): Record<RunStream, object> =>
    Object.fromEntries(RUN_STREAMS.map((s) => [s, st[s].state()])) as Record<RunStream, object>;
  let streams = makeStreams(cfg.seed);
  // A resumed run builds its trainer once, after the restore; the fresh state then needs only the
  // optimizers' state shapes, not a whole trainer's buffers.
  const fresh = restore ? null : makeTrainer(cfg, net, data, backend, streams);
  let run: RunState = {
    phase: 0, epoch: 0, step: 0, order: new Int32Array(n), sums: zeroSums(L), headLoss: 0, epochSeconds: 0,
    trainSeconds: 0, examples: 0, firstLosses: [], epochs: [], net,
    optimizers: optimizerStates(fresh?.opt ?? makeOptimizers(cfg, net)),
    streams: streamStates(streams),
  };
  if (restore) {
    run = restore(run);
    streams = makeStreams(cfg.seed, run.streams);
  }
  const trainer = fresh ?? makeTrainer(cfg, net, data, backend, streams);
  if (restore) {
    trainer.opt.layers.forEach((o, l) => o.load(run.optimizers.layers[l]!));
    trainer.opt.head.load(run.optimizers.head);
  }
  const { order, sums, firstLosses, epochs } = run;
  const epochNo = (): number => epochsBefore(cfg, run.phase) + run.epoch + 1;
  const snapshot = (): RunState => {
    checkWeightsFinite(net, epochNo(), run.step);
    return {
      ...run, sums: sums.map((t) => ({ ...t })), firstLosses: [...firstLosses], epochs: [...epochs],
      optimizers: optimizerStates(trainer.opt), streams: streamStates(streams),
    };
  };
  const position = (epochEnded: boolean): RunPosition => ({
    stepsDone: (epochsBefore(cfg, run.phase) + run.epoch) * stepsPerEpoch + run.step, totalSteps: runTotal,
    epoch: epochNo(), step: run.step, epochEnded,
  });

  for (; run.phase < phases; run.phase++, run.epoch = 0) {
    const only = phaseLayers(cfg, run.phase);
    const epochsHere = phaseEpochs(cfg, run.phase);
    const lrTotal = epochsHere * stepsPerEpoch; // the schedule spans one phase's steps
    for (; run.epoch < epochsHere; run.epoch++) {
      if (run.step === 0) epochOrder(order, streams.shuffle);
      for (; run.step < stepsPerEpoch; ) {
        const s = run.step, k = run.epoch * stepsPerEpoch + s;
        const observer = hooks.observeStep?.(position(false), trainer);
        const t0 = performance.now();
        const lr = lrAt(cfg.schedule, cfg.lr, k, lrTotal), headLr = lrAt(cfg.schedule, cfg.headLr, k, lrTotal);
        const stats: StepStats = trainer.step({ split: data.train, order, start: s * B, B, lr, headLr, only }, observer);
        run.epochSeconds += (performance.now() - t0) / 1000;
        checkStepFinite(stats, epochNo(), s + 1);
        if (firstLosses.length < 20) firstLosses.push(stats.layers[0]!.loss);
        stats.layers.forEach((ls, l) => {
          const t = sums[l]!;
          t.loss += ls.loss; t.goodPos += ls.goodPos; t.goodNeg += ls.goodNeg; t.pairErrors += ls.pairErrors;
        });
        run.headLoss += stats.headLoss;
        run.step++;
        hooks.onStep?.(run.step * B, stepsPerEpoch * B, stats);
        if (run.step < stepsPerEpoch) {
          hooks.betweenSteps?.(position(false), snapshot);
          yield;
        }
      }
      const seconds = run.epochSeconds;
      run.trainSeconds += seconds;
      run.examples += stepsPerEpoch * B;
      // --epoch-validation softmax: the head alone, but every method after the run's last epoch.
      const methods = cfg.epochValidation === 'softmax' && epochNo() < runEpochs ? (['softmax'] as const) : undefined;
      const v0 = performance.now();
      const validation = data.validation ? trainer.evaluate(data.validation, data.validation.count, methods) : null;
      const validationSeconds = (performance.now() - v0) / 1000;
      const report: EpochReport = {
        epoch: epochNo(),
        trainingLayer: only === null ? null : only + 1, // 0: the readout (no layer)
        layers: sums.map((t) => ({
          loss: t.loss / stepsPerEpoch, goodPos: t.goodPos / stepsPerEpoch, goodNeg: t.goodNeg / stepsPerEpoch,
          pairError: t.pairErrors / (stepsPerEpoch * B),
        })),
        headLoss: run.headLoss / stepsPerEpoch,
        validation,
        seconds,
        examplesPerSecond: (stepsPerEpoch * B) / seconds,
        ...(validation && { validationSeconds }),
      };
      epochs.push(report);
      hooks.onEpoch?.(report, trainer);
      const ended = position(true);
      // The state after the epoch: the next step is the next epoch's first.
      run.step = 0; run.headLoss = 0; run.epochSeconds = 0;
      sums.forEach((t) => { t.loss = 0; t.goodPos = 0; t.goodNeg = 0; t.pairErrors = 0; });
      hooks.betweenSteps?.(ended, () => nextEpochSnapshot(snapshot(), epochsHere));
      yield;
    }
  }
  checkWeightsFinite(net, epochs.length, stepsPerEpoch);
  const test = trainer.evaluate(data.test, data.test.count, undefined, hooks.testObserver);
  return { net, epochs, test, trainSeconds: run.trainSeconds, examplesPerSecond: run.examples / Math.max(run.trainSeconds, 1e-9), firstLosses };
}

// The snapshot taken at an epoch's end still points at that epoch (the loop advances it after
// the hook): move it to the next epoch's first step.
function nextEpochSnapshot(s: RunState, epochsPerPhase: number): RunState {
  return s.epoch + 1 < epochsPerPhase ? { ...s, epoch: s.epoch + 1, step: 0 } : { ...s, phase: s.phase + 1, epoch: 0, step: 0 };
}
