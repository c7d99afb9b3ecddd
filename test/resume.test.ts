// A run stopped between any two steps and continued from its checkpoint ends with the same model
// bytes, the same per-epoch statistics and the same test errors as the run that never stopped:
// in every mode (supervised with Adam or smoothed SGD and peer normalisation, greedy, unsupervised
// greedy, Self-Contrastive FF with a readout phase, recurrent), on both backends, resumed with another thread count. The checkpoint goes
// through its bytes (encode, decode, parse) as it would through the disk. A checkpoint of another
// config or data set is refused naming the first difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset, type Dataset } from '../src/data/dataset.ts';
import { makeBackend } from '../src/run/backend.ts';
import { saveNetwork } from '../src/model/model-io.ts';
import { decodeSafetensors, encodeSafetensors } from '../src/io/safetensors.ts';
import {
  checkpointContents, checkpointRestorer, checkSameConfig, checkSameData, dataFingerprint, parseCheckpoint, type Checkpoint,
} from '../src/model/checkpoint.ts';
import { stepCounts, trainRun, type EpochReport } from '../src/run/train-run.ts';
import { makeRng } from '../src/rng.ts';
import { tempDir } from './idx-fixtures.ts';
import { assertUserError } from './helpers.ts';

const CASES: Record<string, Partial<Config>> = {
  'supervised adam hard': { layers: [784, 24, 16], batchSize: 50, lr: 0.003, negatives: 'hard' },
  'supervised sgd peer-norm': {
    layers: [784, 20, 12], batchSize: 40, optimizer: 'sgd', lr: 2, headLr: 0.1, peerNorm: 0.03, negatives: 'random', validation: 100,
  },
  'supervised greedy': { layers: [784, 16, 16], batchSize: 60, lr: 0.03, greedy: true, schedule: 'constant' },
  'unsupervised greedy': { mode: 'unsupervised', layers: [784, 20, 16, 12], batchSize: 50, lr: 0.003, greedy: true, scoredLayers: 'last-2' },
  'unsupervised scff triangle + readout': {
    mode: 'unsupervised', layers: [784, 20, 16], batchSize: 50, lr: 0.003, contrast: 'scff', norm: 'std', goodness: 'mean', threshold: 4,
    thresholdNeg: 6, act: 'triangle', scoredLayers: 'all', readoutEpochs: 1,
  },
  recurrent: { mode: 'recurrent', layers: [784, 24, 16], batchSize: 50, iterations: 3, scoreIterations: [2, 3], lr: 0.003, labelStrength: 15 },
  // The shift and dropout streams go into the checkpoint like the others.
  'supervised shift dropout symba': { layers: [784, 24, 16], batchSize: 50, lr: 0.003, shift: 2, dropout: 0.2, loss: 'symba', symbaAlpha: 0.5 },
  'recurrent shift dropout': {
    mode: 'recurrent', layers: [784, 16, 12], batchSize: 50, iterations: 2, scoreIterations: [1, 2], lr: 0.003, labelStrength: 15,
    shift: 1, dropout: 0.1,
  },
};

class Stop extends Error {}

function config(over: Partial<Config>, backend: 'js' | 'wasm', threads: number): Config {
  return { ...DEFAULT_CONFIG, seed: 11, epochs: 2, trainLimit: 300, testLimit: 100, backend, threads, quiet: true, ...over };
}

// Without the timings, which differ from run to run.
const stats = (e: EpochReport[]): unknown => e.map(({ seconds: _s, examplesPerSecond: _x, validationSeconds: _v, ...rest }) => rest);

function run(
  cfg: Config, data: Dataset, dir: string, name: string, stopAt: number | null, from: Checkpoint | null,
): { bytes: Buffer; epochs: EpochReport[]; test: unknown; stopped: Checkpoint | null } {
  const mm = makeBackend(cfg.backend, cfg.threads, () => {});
  let stopped: Checkpoint | null = null;
  try {
    const r = trainRun(cfg, data, mm, {
      betweenSteps: (at, snapshot) => {
        if (at.stepsDone !== stopAt) return;
        const { tensors, metadata } = checkpointContents(snapshot(), cfg, dataFingerprint(data));
        stopped = parseCheckpoint(decodeSafetensors(encodeSafetensors(tensors, metadata), 'mem'), 'mem');
        throw new Stop();
      },
    }, from ? checkpointRestorer(from, cfg) : undefined);
    saveNetwork(join(dir, name), r.net, cfg);
    return { bytes: readFileSync(join(dir, name)), epochs: r.epochs, test: r.test, stopped: null };
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    return { bytes: Buffer.alloc(0), epochs: [], test: null, stopped };
  } finally {
    mm.close();
  }
}

for (const [name, over] of Object.entries(CASES)) {
  for (const [backend, threadsBefore, threadsAfter] of [['js', 1, 1], ['wasm', 1, 2]] as const) {
    test(`resume to the same bits: ${name}, ${backend}, ${threadsBefore} → ${threadsAfter} thread(s)`, () => {
      const { dir, cleanup } = tempDir('resume');
      try {
        const cfg = config(over, backend, threadsBefore);
        const data = loadDataset({ trainLimit: 300, testLimit: 100, validation: cfg.validation });
        const whole = run(cfg, data, dir, 'whole.safetensors', null, null);
        const total = stepCounts(cfg, data.train.count).total;
        assert.equal(whole.epochs.length, (cfg.greedy ? cfg.epochs * (cfg.layers.length - 1) : cfg.epochs) + cfg.readoutEpochs);
        // Two seeded stop points and an epoch's end (the next epoch's order is drawn after resuming).
        const rng = makeRng(5, `resume:${name}`);
        // And the end of the last epoch: a finished run's checkpoint resumes to its evaluation.
        const points = [stepCounts(cfg, data.train.count).perEpoch, 1 + rng.int(total - 1), 1 + rng.int(total - 1), total];
        for (const k of points) {
          const stop = run(cfg, data, dir, 'stopped.safetensors', k, null);
          assert.ok(stop.stopped, `the run did not pass step ${k}`);
          const resumed = run({ ...cfg, threads: threadsAfter }, data, dir, `resumed-${k}.safetensors`, null, stop.stopped);
          assert.ok(resumed.bytes.equals(whole.bytes), `${name}: stopped after step ${k} of ${total}, the resumed model differs`);
          assert.deepStrictEqual(stats(resumed.epochs), stats(whole.epochs), `${name}: per-epoch statistics after resuming at step ${k}`);
          assert.deepStrictEqual(resumed.test, whole.test);
        }
      } finally {
        cleanup();
      }
    });
  }
}

test('a checkpoint of another config or training data is refused, naming the first difference', () => {
  const { dir, cleanup } = tempDir('resume-refuse');
  try {
    const cfg = config(CASES['supervised adam hard']!, 'wasm', 1);
    const data = loadDataset({ trainLimit: 300, testLimit: 100 });
    const ck = run(cfg, data, dir, 'x', 3, null).stopped!;
    checkSameConfig(ck, { ...cfg, threads: 2, quiet: false, json: true, save: 'x', checkpoint: 'd', checkpointEvery: 7, resume: 'd' });
    checkSameData(ck, dataFingerprint(data));
    assertUserError(() => checkSameConfig(ck, { ...cfg, lr: 0.004 }), ['--lr 0.003', 'this run has 0.004']);
    assertUserError(() => checkSameConfig(ck, { ...cfg, layers: [784, 24, 17] }), ['--layers [784,24,16]']);
    assertUserError(() => checkSameConfig(ck, { ...cfg, epochs: 3 }), ['--epochs 2', 'has 3']);
    const other = loadDataset({ trainLimit: 301, testLimit: 100 });
    assertUserError(() => checkSameData(ck, dataFingerprint(other)), ['other training data (train 300', 'has 301']);
    // Options off are not stored: a run that turns one on is refused, naming it.
    assert.equal(ck.config.shift, undefined);
    assertUserError(() => checkSameConfig(ck, { ...cfg, shift: 1 }), ['--shift (absent)', 'this run has 1']);
    assertUserError(() => checkSameConfig(ck, { ...cfg, loss: 'symba' }), ['--loss (absent)', 'this run has "symba"']);
    const drop = run(config(CASES['supervised shift dropout symba']!, 'wasm', 1), data, dir, 'y', 3, null).stopped!;
    assertUserError(
      () => checkSameConfig(drop, { ...cfg, ...CASES['supervised shift dropout symba'], dropout: 0.3 }), ['--dropout 0.2', 'this run has 0.3'],
    );
  } finally {
    cleanup();
  }
});

test('a checkpoint written before the shift and dropout streams existed (none in it) resumes to the same bits', () => {
  const { dir, cleanup } = tempDir('resume-old');
  try {
    const cfg = config(CASES['supervised adam hard']!, 'js', 1);
    const data = loadDataset({ trainLimit: 300, testLimit: 100 });
    const whole = run(cfg, data, dir, 'whole.safetensors', null, null);
    const ck = run(cfg, data, dir, 'x', 7, null).stopped!;
    const state = JSON.parse(ck.file.metadata.state!);
    assert.ok(state.streams.shift && state.streams.dropout, 'a checkpoint of today has both streams');
    delete state.streams.shift;
    delete state.streams.dropout;
    const withState = (): Parameters<typeof parseCheckpoint>[0] => ({ ...ck.file, metadata: { ...ck.file.metadata, state: JSON.stringify(state) } });
    const old = parseCheckpoint(withState(), 'mem');
    const resumed = run(cfg, data, dir, 'resumed.safetensors', null, old);
    assert.ok(resumed.bytes.equals(whole.bytes), 'the resumed model differs');
    // A malformed state of a stream that is there is still refused.
    state.streams.shift = { i: 0, j: 0, S: [1, 2] };
    assertUserError(() => parseCheckpoint(withState(), 'mem'), ["'shift' random stream"]);
  } finally {
    cleanup();
  }
});
