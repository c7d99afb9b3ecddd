// A run's checkpoint: one safetensors file, DIR/checkpoint.safetensors, replaced atomically
// (temporary file, fsync, rename: src/io/atomic-write.ts), holding everything trainRun needs to
// continue to the same bits (RunState): weights, biases, peer means, every optimizer's state, the
// epoch order, each named random stream's state, the step counters, the epoch's partial sums and
// the history. Reading checks all of it, and that the run resuming has the same weight-shaping
// config and training data; any problem is a one-line UserError naming the folder.
import { readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { temporaryPath } from '../io/atomic-write.ts';
import { DEFAULT_CONFIG, type Config } from '../config/config.ts';
import type { Dataset } from '../data/dataset.ts';
import { UserError } from '../errors.ts';
import { flagOf } from '../config/fields.ts';
import { fnv1a } from '../io/checksum.ts';
import { getF32, readSafetensors, writeSafetensors, type SafetensorsFile, type TensorToWrite } from '../io/safetensors.ts';
import { modelConfig } from '../config/stored.ts';
import { fillNetwork, networkTensors } from './model-format.ts';
import type { OptimizerState } from '../optim/optimizer.ts';
import {
  epochsBefore, phaseEpochs, RUN_STREAMS, stepCounts, type EpochReport, type LayerSums, type RunState, type RunStream,
} from '../run/train-run.ts';

export const CHECKPOINT_FORMAT = 'forward-forward-ts/checkpoint-1';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
/** Streams added after the first checkpoints (of --shift and --dropout); an older checkpoint lacks them. */
const LATER_STREAMS: readonly RunStream[] = ['shift', 'dropout'];

/** What identifies the training data: sizes and a checksum of the training images and labels. */
export interface DataFingerprint {
  train: number;
  rows: number;
  cols: number;
  classes: number;
  checksum: string;
}

export function dataFingerprint(data: Dataset): DataFingerprint {
  const t = data.train;
  return { train: t.count, rows: t.rows, cols: t.cols, classes: data.classes, checksum: fnv1a([t.images, t.labels]) };
}

/** The counters and small state kept as JSON metadata. */
interface Counters {
  phase: number;
  epoch: number;
  step: number;
  sums: LayerSums[];
  headLoss: number;
  epochSeconds: number;
  trainSeconds: number;
  examples: number;
  firstLosses: number[];
  optimizers: { layers: Record<string, number>[]; head: Record<string, number> };
  streams: Record<RunStream, object>;
}

/** A checkpoint read from disk and checked for form (not yet against a config). */
export interface Checkpoint {
  where: string; // the folder, for messages
  file: SafetensorsFile;
  config: Record<string, unknown>;
  data: DataFingerprint;
  counters: Counters;
  history: EpochReport[];
}

const numbersOf = (s: OptimizerState): Record<string, number> =>
  Object.fromEntries(Object.entries(s).filter(([, v]) => typeof v === 'number')) as Record<string, number>;

function optimizerTensors(prefix: string, s: OptimizerState): TensorToWrite[] {
  const out: TensorToWrite[] = [];
  for (const [key, v] of Object.entries(s)) {
    if (typeof v !== 'number') v.forEach((a, i) => out.push({ name: `${prefix}.${key}.${i}`, shape: [a.length], data: a }));
  }
  return out;
}

/** The tensors and metadata of a checkpoint of `state`. Pure: the same state gives the same bytes. */
export function checkpointContents(
  state: RunState, cfg: Config, data: DataFingerprint,
): { tensors: TensorToWrite[]; metadata: Record<string, string> } {
  const tensors: TensorToWrite[] = networkTensors(state.net, true);
  tensors.push({ name: 'order', shape: [state.order.length], data: state.order });
  state.optimizers.layers.forEach((s, i) => tensors.push(...optimizerTensors(`optim.layer${i + 1}`, s)));
  tensors.push(...optimizerTensors('optim.head', state.optimizers.head));
  const counters: Counters = {
    phase: state.phase, epoch: state.epoch, step: state.step, sums: state.sums, headLoss: state.headLoss,
    epochSeconds: state.epochSeconds, trainSeconds: state.trainSeconds, examples: state.examples, firstLosses: state.firstLosses,
    optimizers: { layers: state.optimizers.layers.map(numbersOf), head: numbersOf(state.optimizers.head) },
    streams: state.streams,
  };
  return {
    tensors,
    metadata: {
      format: CHECKPOINT_FORMAT,
      config: JSON.stringify(modelConfig(cfg)),
      data: JSON.stringify(data),
      state: JSON.stringify(counters),
      history: JSON.stringify(state.epochs),
    },
  };
}

/** Write the checkpoint of `state` into dir, replacing the previous one atomically. */
export function writeCheckpoint(dir: string, state: RunState, cfg: Config, data: DataFingerprint): void {
  const { tensors, metadata } = checkpointContents(state, cfg, data);
  writeSafetensors(join(dir, CHECKPOINT_FILE), tensors, metadata);
}

/** Remove temporary files a killed writer left in dir (the checkpoint itself is never partial). */
export function removeStaleTemporaries(dir: string): void {
  const prefix = basename(temporaryPath(join(dir, CHECKPOINT_FILE))).replace(/\.\d+\.tmp$/, '.');
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
  }
}

// ---- reading -------------------------------------------------------------------------------

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function parseJson(where: string, file: SafetensorsFile, key: string): unknown {
  const text = file.metadata[key];
  if (text === undefined) throw new UserError(`${where}: the checkpoint has no '${key}' metadata`);
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError(`${where}: the checkpoint's '${key}' metadata is not valid JSON`);
  }
}

function checkSums(where: string, x: unknown, what: string): LayerSums[] {
  if (!Array.isArray(x) || x.length === 0) throw new UserError(`${where}: the checkpoint's ${what} is not a list of layers`);
  for (const t of x) {
    if (!isObj(t) || !['loss', 'goodPos', 'goodNeg', 'pairErrors'].every((k) => isNum(t[k]))) {
      throw new UserError(`${where}: the checkpoint's ${what} has a layer without finite loss, goodPos, goodNeg, pairErrors`);
    }
  }
  return x as LayerSums[];
}

/** An ARC4 stream state as seedrandom saves it: i, j in 0..255 and S, a permutation of 0..255. */
function checkStreamState(where: string, name: string, x: unknown): void {
  const ok = isObj(x) && isCount(x.i) && x.i < 256 && isCount(x.j) && x.j < 256 && Array.isArray(x.S) && x.S.length === 256 &&
    new Set(x.S).size === 256 && x.S.every((v) => isCount(v) && v < 256);
  if (!ok) throw new UserError(`${where}: the checkpoint's state of the '${name}' random stream is malformed`);
}

function checkHistory(where: string, x: unknown): EpochReport[] {
  if (!Array.isArray(x)) throw new UserError(`${where}: the checkpoint's history is not a list of epochs`);
  x.forEach((e, i) => {
    const ok = isObj(e) && e.epoch === i + 1 && (e.trainingLayer === null || isCount(e.trainingLayer)) && isNum(e.headLoss) &&
      isNum(e.seconds) && (isNum(e.examplesPerSecond) || e.examplesPerSecond === null) &&
      Array.isArray(e.layers) && e.layers.every((l: unknown) => isObj(l) && ['loss', 'goodPos', 'goodNeg', 'pairError'].every((k) => isNum(l[k]))) &&
      (e.validation === null || (isObj(e.validation) && [e.validation.goodness, e.validation.softmax].every((v) => v === null || isNum(v))));
    if (!ok) throw new UserError(`${where}: the checkpoint's history entry ${i + 1} is malformed`);
  });
  return x as EpochReport[];
}

/** Check a decoded checkpoint file's metadata for form; `where` names it in messages. */
export function parseCheckpoint(file: SafetensorsFile, where: string): Checkpoint {
  if (file.metadata.format !== CHECKPOINT_FORMAT) {
    throw new UserError(
      `${where}: not a checkpoint of this project ` +
        `(metadata format is '${file.metadata.format ?? '(none)'}', expected '${CHECKPOINT_FORMAT}')`,
    );
  }
  const config = parseJson(where, file, 'config');
  if (!isObj(config)) throw new UserError(`${where}: the checkpoint's config is not a JSON object`);
  const data = parseJson(where, file, 'data');
  if (!isObj(data) || !['train', 'rows', 'cols', 'classes'].every((k) => isCount(data[k])) || typeof data.checksum !== 'string') {
    throw new UserError(`${where}: the checkpoint's data fingerprint is malformed`);
  }
  const c = parseJson(where, file, 'state');
  if (!isObj(c) || !['phase', 'epoch', 'step', 'examples'].every((k) => isCount(c[k])) ||
    !['headLoss', 'epochSeconds', 'trainSeconds'].every((k) => isNum(c[k]))) {
    throw new UserError(`${where}: the checkpoint's counters are malformed`);
  }
  checkSums(where, c.sums, 'epoch sums');
  if (!Array.isArray(c.firstLosses) || c.firstLosses.length > 20 || !c.firstLosses.every(isNum)) {
    throw new UserError(`${where}: the checkpoint's first losses are malformed`);
  }
  const o = c.optimizers;
  const scalars = (s: unknown): boolean => isObj(s) && Object.values(s).every(isCount);
  if (!isObj(o) || !Array.isArray(o.layers) || !o.layers.every(scalars) || !scalars(o.head)) {
    throw new UserError(`${where}: the checkpoint's optimizer counters are malformed`);
  }
  if (!isObj(c.streams)) throw new UserError(`${where}: the checkpoint has no random stream states`);
  for (const name of RUN_STREAMS) {
    // A checkpoint written before a stream existed has no state for it: the run never drew from it.
    if (!(LATER_STREAMS.includes(name) && c.streams[name] === undefined)) checkStreamState(where, name, c.streams[name]);
  }
  const history = checkHistory(where, parseJson(where, file, 'history'));
  for (const [name, t] of file.tensors) {
    if (t.dtype === 'F32' && !t.data.every(Number.isFinite)) {
      throw new UserError(`${where}: the checkpoint's tensor '${name}' holds a non-finite value`);
    }
  }
  return { where, file, config, data: data as unknown as DataFingerprint, counters: c as unknown as Counters, history };
}

/** Read and check the checkpoint in dir. */
export function readCheckpoint(dir: string): Checkpoint {
  const where = `--resume ${dir}`;
  let file: SafetensorsFile;
  try {
    file = readSafetensors(join(dir, CHECKPOINT_FILE));
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${where}: ${err.message}`);
    throw err;
  }
  return parseCheckpoint(file, where);
}

/**
 * Refuse a checkpoint made with another weight-shaping config, naming the first field that differs.
 * A field the checkpoint lacks (written before that option existed) counts as its default.
 */
export function checkSameConfig(ck: Checkpoint, cfg: Config): void {
  const mine = modelConfig(cfg) as unknown as Record<string, unknown>;
  const defaults = modelConfig(DEFAULT_CONFIG) as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(mine), ...Object.keys(ck.config)])];
  for (const k of keys) {
    const a = JSON.stringify(Object.hasOwn(ck.config, k) ? ck.config[k] : defaults[k]), b = JSON.stringify(mine[k]);
    if (a !== b) {
      throw new UserError(
        `${ck.where}: the checkpoint was made with ${flagOf(k)} ${a ?? '(absent)'}, this run has ${b ?? '(absent)'}; ` +
          'only flags that cannot change a weight may differ',
      );
    }
  }
}

/** Refuse a checkpoint made on other training data. */
export function checkSameData(ck: Checkpoint, data: DataFingerprint): void {
  for (const k of ['train', 'rows', 'cols', 'classes', 'checksum'] as const) {
    if (ck.data[k] !== data[k]) {
      throw new UserError(`${ck.where}: the checkpoint was made on other training data (${k} ${ck.data[k]}, this run's data has ${data[k]})`);
    }
  }
}

/**
 * The restore function trainRun takes: fills the fresh state's network and order from the
 * checkpoint (checking every shape against it) and returns the state to continue from.
 */
export function checkpointRestorer(ck: Checkpoint, cfg: Config): (fresh: RunState) => RunState {
  return (fresh: RunState): RunState => {
    const { file, counters: c, where } = ck;
    const net = fresh.net, L = net.layers.length;
    fillNetwork(net, file, true);
    const order = file.tensors.get('order');
    const n = fresh.order.length;
    if (order === undefined || order.dtype !== 'I32' || order.data.length !== n) {
      throw new UserError(`${where}: the checkpoint's epoch order is not ${n} I32 values`);
    }
    const seen = new Uint8Array(n);
    for (const v of order.data) {
      if (!(v >= 0 && v < n) || seen[v]) {
        throw new UserError(`${where}: the checkpoint's epoch order is not a permutation of the ${n} training images`);
      }
      seen[v] = 1;
    }
    fresh.order.set(order.data);
    const { perEpoch, phases } = stepCounts(cfg, n);
    const finished = c.phase === phases && c.epoch === 0 && c.step === 0; // written after the last epoch
    if (!finished && (c.phase >= phases || c.epoch >= phaseEpochs(cfg, c.phase) || c.step >= perEpoch)) {
      throw new UserError(`${where}: the checkpoint's position (phase ${c.phase}, epoch ${c.epoch}, step ${c.step}) is outside this run`);
    }
    if (c.sums.length !== L || c.optimizers.layers.length !== L) {
      throw new UserError(`${where}: the checkpoint has state for ${c.sums.length} layers, this run has ${L}`);
    }
    const epochsDone = epochsBefore(cfg, c.phase) + c.epoch;
    if (ck.history.length !== epochsDone) {
      throw new UserError(`${where}: the checkpoint's history has ${ck.history.length} epochs, its position says ${epochsDone}`);
    }
    const restoreOptimizer = (prefix: string, template: OptimizerState, scalars: Record<string, number>): OptimizerState =>
      Object.fromEntries(Object.entries(template).map(([key, v]) => {
        if (typeof v === 'number') {
          if (!isCount(scalars[key])) throw new UserError(`${where}: the checkpoint lacks the optimizer counter ${prefix}.${key}`);
          return [key, scalars[key]];
        }
        return [key, v.map((a, i) => getF32(file, `${prefix}.${key}.${i}`, [a.length]))];
      }));
    return {
      ...fresh,
      phase: c.phase, epoch: c.epoch, step: c.step, sums: c.sums.map((t) => ({ ...t })), headLoss: c.headLoss,
      epochSeconds: c.epochSeconds, trainSeconds: c.trainSeconds, examples: c.examples, firstLosses: [...c.firstLosses],
      epochs: [...ck.history],
      optimizers: {
        layers: fresh.optimizers.layers.map((t, i) => restoreOptimizer(`optim.layer${i + 1}`, t, c.optimizers.layers[i]!)),
        head: restoreOptimizer('optim.head', fresh.optimizers.head, c.optimizers.head),
      },
      streams: { ...fresh.streams, ...c.streams }, // a stream the checkpoint lacks was never drawn from: fresh
    };
  };
}
