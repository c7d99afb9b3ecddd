// A training run of any FF mode: epochs of shuffled minibatches, per-epoch statistics, and the
// final evaluation. scripts/train.ts wraps it with flags and printing; the golden tests call it
// directly. Every random draw comes from `cfg.seed` through named streams (init, shuffle,
// negatives, masks); with the same seed, config and backend the run is the same to the bit.
import { scoredLayerNumbers, type Config } from './config.ts';
import type { Dataset } from './data/dataset.ts';
import { epochOrder } from './data/batch.ts';
import type { MatmulBackend } from './linalg/backend.ts';
import { lrAt } from './optim/schedule.ts';
import { makeRng } from './rng.ts';
import { initNetwork, type Network } from './ff/network.ts';
import { makeSupervisedTrainer } from './ff/supervised.ts';
import type { EvalObserver, StepStats, TestErrors, Trainer } from './ff/trainer.ts';
import { makeUnsupervisedTrainer } from './ff/unsupervised.ts';
import { initRecurrentNetwork, makeRecurrentTrainer } from './ff/recurrent.ts';

export interface LayerEpochStats {
  loss: number; // mean FF loss over the epoch's steps
  goodPos: number; // mean goodness of positive rows
  goodNeg: number; // mean goodness of negative rows
  pairError: number; // fraction of (positive, negative) pairs with G_neg ≥ G_pos
}

export interface EpochReport {
  epoch: number; // 1-based
  trainingLayer: number | null; // greedy: the 1-based layer this epoch trained
  layers: LayerEpochStats[];
  headLoss: number; // mean cross-entropy of the head
  validation: TestErrors | null; // error fractions, if --validation
  seconds: number; // wall time of the epoch's training steps
  examplesPerSecond: number; // training images per second
}

export interface RunHooks {
  onStep?(done: number, total: number): void; // after each step: images done in this epoch
  onEpoch?(report: EpochReport, trainer: Trainer): void; // after each epoch (and its validation)
  testObserver?: EvalObserver; // sees the final test evaluation chunk by chunk (the report's analysis)
}

export interface RunResult {
  net: Network;
  epochs: EpochReport[];
  test: TestErrors;
  trainSeconds: number;
  examplesPerSecond: number;
  firstLosses: number[]; // FF loss of layer 1 at each of the first 20 steps (golden tests)
}

/** The trainer of cfg.mode for this network. */
export function makeTrainer(cfg: Config, net: Network, data: Dataset, backend: MatmulBackend): Trainer {
  const mm = backend.matmul.bind(backend);
  switch (cfg.mode) {
    case 'supervised':
      return makeSupervisedTrainer(cfg, net, data.classes, mm, makeRng(cfg.seed, 'negatives'));
    case 'unsupervised':
      return makeUnsupervisedTrainer(cfg, net, data.classes, data.train.rows, data.train.cols, mm, makeRng(cfg.seed, 'masks'));
    case 'recurrent':
      return makeRecurrentTrainer(cfg, net, data.classes, mm, makeRng(cfg.seed, 'negatives'));
  }
}

/** A freshly initialised network of cfg.mode's shape (weights from the 'init' stream). */
export function buildNetwork(cfg: Config, classes: number): Network {
  const rng = makeRng(cfg.seed, 'init');
  return cfg.mode === 'recurrent'
    ? initRecurrentNetwork(cfg.layers, classes, scoredLayerNumbers(cfg), rng)
    : initNetwork(cfg.layers, scoredLayerNumbers(cfg), classes, rng);
}

export function trainRun(cfg: Config, data: Dataset, backend: MatmulBackend, hooks: RunHooks = {}): RunResult {
  const net = buildNetwork(cfg, data.classes);
  const trainer = makeTrainer(cfg, net, data, backend);
  const shuffleRng = makeRng(cfg.seed, 'shuffle');
  const n = data.train.count, B = cfg.batchSize;
  const stepsPerEpoch = Math.floor(n / B); // the last partial batch is dropped; the order changes every epoch
  const order = new Int32Array(n);
  const L = net.layers.length;
  const phases = cfg.greedy ? L : 1; // greedy: every layer gets all the epochs, one layer after another
  const totalSteps = cfg.epochs * stepsPerEpoch;
  const epochs: EpochReport[] = [];
  const firstLosses: number[] = [];
  let trainSeconds = 0, examples = 0, epochNo = 0;

  for (let phase = 0; phase < phases; phase++) {
    const only = cfg.greedy ? phase : null;
    for (let e = 0; e < cfg.epochs; e++) {
      epochNo++;
      epochOrder(order, shuffleRng);
      const sums = Array.from({ length: L }, () => ({ loss: 0, goodPos: 0, goodNeg: 0, pairErrors: 0 }));
      let headLoss = 0;
      const t0 = performance.now();
      for (let s = 0; s < stepsPerEpoch; s++) {
        const k = e * stepsPerEpoch + s;
        const stats: StepStats = trainer.step(data.train, order, s * B, B, lrAt(cfg.schedule, cfg.lr, k, totalSteps), lrAt(cfg.schedule, cfg.headLr, k, totalSteps), only);
        if (firstLosses.length < 20) firstLosses.push(stats.layers[0]!.loss);
        stats.layers.forEach((ls, l) => {
          const t = sums[l]!;
          t.loss += ls.loss; t.goodPos += ls.goodPos; t.goodNeg += ls.goodNeg; t.pairErrors += ls.pairErrors;
        });
        headLoss += stats.headLoss;
        hooks.onStep?.((s + 1) * B, stepsPerEpoch * B);
      }
      const seconds = (performance.now() - t0) / 1000;
      trainSeconds += seconds;
      examples += stepsPerEpoch * B;
      const validation = data.validation ? trainer.evaluate(data.validation, data.validation.count) : null;
      const report: EpochReport = {
        epoch: epochNo,
        trainingLayer: only === null ? null : only + 1,
        layers: sums.map((t) => ({
          loss: t.loss / stepsPerEpoch, goodPos: t.goodPos / stepsPerEpoch, goodNeg: t.goodNeg / stepsPerEpoch,
          pairError: t.pairErrors / (stepsPerEpoch * B),
        })),
        headLoss: headLoss / stepsPerEpoch,
        validation,
        seconds,
        examplesPerSecond: (stepsPerEpoch * B) / seconds,
      };
      epochs.push(report);
      hooks.onEpoch?.(report, trainer);
    }
  }
  const test = trainer.evaluate(data.test, data.test.count, undefined, hooks.testObserver);
  return { net, epochs, test, trainSeconds, examplesPerSecond: examples / Math.max(trainSeconds, 1e-9), firstLosses };
}
