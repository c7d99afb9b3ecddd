// Fuzzed inputs, generated from a seed (makeRng): IDX files (magic, dtype, dimension counts, huge
// dimensions, truncation, gzip garbage), safetensors models (header length, JSON, dtypes, shapes,
// offsets, metadata), checkpoints, and flag values. Every case must end in a correct result or a
// one-line UserError: no other exception, no stack trace, each case bounded in time. The bulk runs
// in-process through the readers the scripts use; a seeded sample runs through the scripts as
// subprocesses, which must exit 0 or 2 with one line, and leave no partial output file behind.
// (A mutated checkpoint with finite but huge weights is valid, and its run diverges: exit 3.)
// The test prints the case count and how many ended in each outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { DivergedError, UserError } from '../src/errors.ts';
import { checkConfig } from '../src/run/check-config.ts';
import { configFromFlags, parseFlags, TRAIN_FLAGS } from '../apps/cli/flags.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { readIdx } from '../src/data/idx.ts';
import { decodeSafetensors, encodeSafetensors, readSafetensors } from '../src/io/safetensors.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { loadModelFile, saveNetwork } from '../src/model/model-io.ts';
import {
  checkpointContents, checkpointRestorer, checkSameConfig, checkSameData, dataFingerprint, parseCheckpoint, CHECKPOINT_FILE,
} from '../src/model/checkpoint.ts';
import { buildNetwork, trainRun } from '../src/run/train-run.ts';
import { makeRng, type Rng } from '../src/rng.ts';
import { encodeIdx, fixtureSplit, tempDir, writeFixtureDataset } from './idx-fixtures.ts';

const SEED = 2026;
const CASE_MS = 2000; // no case may take longer

type Outcome = string; // 'ok' or the kind of error

/** The kind of a one-line UserError: its message without the file name, up to the first detail. */
function kindOf(message: string, source: string): string {
  const rest = message.startsWith(`${source}: `) ? message.slice(source.length + 2) : message.replace(/^[^:]*: /, '');
  return rest.split(/[:(]| with | got |, this | is /)[0]!.replace(/\d+/g, 'N').replace(/'[^']*'|"[^"]*"/g, '…').trim().slice(0, 60);
}

/** Run one case: ok, or a one-line UserError (anything else fails the test). */
function runCase(label: string, source: string, fn: () => void): Outcome {
  const t0 = performance.now();
  let outcome: Outcome = 'ok';
  try {
    fn();
  } catch (err) {
    // A checkpoint whose mutated weights are finite but huge is a valid checkpoint of a run that
    // then diverges: the divergence guard's one line (exit 3) is the correct result for it.
    if (err instanceof DivergedError && !err.message.includes('\n')) return 'diverged (exit 3)';
    if (!(err instanceof UserError)) assert.fail(`${label}: not a UserError: ${err instanceof Error ? err.stack : String(err)}`);
    assert.ok(!err.message.includes('\n'), `${label}: message is not one line: ${JSON.stringify(err.message)}`);
    assert.ok(err.message.length < 400, `${label}: message of ${err.message.length} characters`);
    outcome = `error: ${kindOf(err.message, source)}`;
  }
  const ms = performance.now() - t0;
  assert.ok(ms < CASE_MS, `${label}: took ${ms.toFixed(0)} ms`);
  return outcome;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const HUGE = [0x7fffffff, 0x10000000, 65536, 2 ** 31, -1, -0x7fffffff];

// ---- IDX ----------------------------------------------------------------------------------

function mutateIdx(rng: Rng, base: Uint8Array, rank: number): { bytes: Uint8Array; what: string } {
  const b = Uint8Array.from(base);
  const view = new DataView(b.buffer);
  switch (rng.int(8)) {
    case 0: view.setUint32(0, rng.int(2 ** 32), false); return { bytes: b, what: 'random magic' };
    case 1: b[2] = pick(rng, [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, rng.int(256)]); return { bytes: b, what: 'dtype byte' };
    case 2: b[3] = rng.int(256); return { bytes: b, what: 'dimension count' };
    case 3: view.setInt32(4 + 4 * rng.int(rank), pick(rng, HUGE), false); return { bytes: b, what: 'huge or negative dimension' };
    case 4: return { bytes: b.subarray(0, rng.int(b.length)), what: 'truncated' };
    case 5: { const x = new Uint8Array(b.length + 1 + rng.int(50)); x.set(b); return { bytes: x, what: 'trailing bytes' }; }
    case 6: {
      const g = gzipSync(b); g[rng.int(g.length)]! ^= 1 + rng.int(255);
      return { bytes: g.subarray(0, g.length - rng.int(8)), what: 'gzip garbage' };
    }
    default: { const g = gzipSync(b); return { bytes: rng.int(2) ? g : g.subarray(0, 2 + rng.int(g.length - 2)), what: 'gzip, maybe truncated' }; }
  }
}

function fuzzIdx(rng: Rng, dir: string, n: number, tally: (o: Outcome, family: string) => void): void {
  const split = fixtureSplit(6, 3, 4);
  const bases: [Uint8Array, 1 | 3][] = [[encodeIdx([6, 3, 4], split.images), 3], [encodeIdx([6], split.labels), 1]];
  for (let i = 0; i < n; i++) {
    const [base, rank] = pick(rng, bases);
    const { bytes } = mutateIdx(rng, base, rank);
    const path = join(dir, `idx-${i}`);
    writeFileSync(path, bytes);
    tally(runCase(`idx case ${i}`, path, () => {
      const r = readIdx(path, rank);
      assert.equal(r.data.length, r.dims.reduce((a, d) => a * d, 1), 'a decoded file holds exactly its dimensions');
    }), 'idx');
  }
}

// ---- safetensors (models) ------------------------------------------------------------------

/** A header JSON mutation of a decoded header object. */
function mutateHeader(rng: Rng, h: Record<string, Record<string, unknown>>): string {
  const names = Object.keys(h).filter((k) => k !== '__metadata__');
  const t = h[pick(rng, names)]!;
  const meta = h.__metadata__ ?? {};
  switch (rng.int(9)) {
    case 0: t.dtype = pick(rng, ['F16', 'F64', 'I64', 'BF16', 'U8', 'f32', 7, null, '']); break;
    case 1: t.shape = pick(rng, [[-1], [1.5], ['3'], null, [2 ** 53], [0], [], [1e6, 1e6], 'x']); break;
    case 2: t.data_offsets = pick(rng, [[8, 0], [0, 2 ** 40], [-4, 4], [0], null, ['0', '4'], [0, 4.5]]); break;
    case 3: { const o = t.data_offsets as number[]; t.data_offsets = [o[0]! + 4, o[1]! + 4]; break; } // overlap / gap
    case 4: meta[pick(rng, ['format', 'config', 'scored', 'x'])] = pick(rng, [7, null, {}, ['a']] as unknown[]); h.__metadata__ = meta; break;
    case 5: {
      // A config value changed to something a flag parser must refuse (or accept, if it is valid).
      const cfg = JSON.parse(String(meta.config)) as Record<string, unknown>;
      const field = pick(rng, Object.keys(cfg));
      cfg[field] = pick(rng, [-1, 0, 1e9, 'abc', null, [], [784, 0], [784, 1e9], true, 0.5, 'last-0', [3, 1]] as unknown[]);
      meta.config = JSON.stringify(cfg);
      break;
    }
    case 6: meta.config = pick(rng, ['{', '[]', 'null', '{"layers":"784"}', '{"mode":"sideways"}', '{"preset":"__proto__"}']); break;
    case 7: t.extra = 1; break;
    default: h[pick(rng, ['__metadata__', names[0]!])] = pick(rng, [null, [], 'x'] as never[]);
  }
  return JSON.stringify(h);
}

function mutateSafetensors(rng: Rng, base: Uint8Array): Uint8Array {
  const view = new DataView(base.buffer, base.byteOffset, base.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(base.subarray(8, 8 + n))) as Record<string, Record<string, unknown>>;
  const data = base.subarray(8 + n);
  const assemble = (json: string | Uint8Array, body = data, len?: bigint): Uint8Array => {
    const j = typeof json === 'string' ? new TextEncoder().encode(json) : json;
    const out = new Uint8Array(8 + j.length + body.length);
    new DataView(out.buffer).setBigUint64(0, len ?? BigInt(j.length), true);
    out.set(j, 8);
    out.set(body, 8 + j.length);
    return out;
  };
  switch (rng.int(6)) {
    case 0: return assemble(base.subarray(8, 8 + n), data, pick(rng, [0n, 1n, BigInt(n) + 8n, BigInt(n) - 8n, 2n ** 63n, 2n ** 64n - 1n]));
    case 1: return base.subarray(0, rng.int(base.length)); // truncated anywhere
    case 2: { const j = Uint8Array.from(base.subarray(8, 8 + n)); j[rng.int(j.length)] = rng.int(256); return assemble(j); } // a byte of the JSON
    case 3: { const b = Uint8Array.from(base); b[8 + n + rng.int(data.length)]! ^= 0xff; return b; } // a data byte: still a valid file
    default: return assemble(mutateHeader(rng, header));
  }
}

function fuzzModels(rng: Rng, dir: string, base: Uint8Array, n: number, tally: (o: Outcome, family: string) => void): void {
  for (let i = 0; i < n; i++) {
    const path = join(dir, `model-${i}.safetensors`);
    writeFileSync(path, mutateSafetensors(rng, base));
    tally(runCase(`model case ${i}`, path, () => {
      const { cfg, fill } = loadModelFile(path); // what eval.ts does before evaluating
      const net = buildNetwork(cfg, 10);
      fill(net);
    }), 'safetensors');
  }
}

// ---- checkpoints ------------------------------------------------------------------------------

function mutateCheckpoint(rng: Rng, base: Uint8Array): Uint8Array {
  if (rng.int(3) === 0) return mutateSafetensors(rng, base);
  const file = decodeSafetensors(base, 'base');
  const meta = { ...file.metadata };
  const key = pick(rng, ['state', 'history', 'data', 'config', 'format']);
  const value = key === 'format' ? null : (JSON.parse(meta[key]!) as Record<string, unknown> | unknown[]);
  const wild = [-1, 1.5, 1e9, 'x', null, [], {}, Infinity] as unknown[];
  if (key === 'format') meta.format = pick(rng, ['forward-forward-ts/1', '', 'forward-forward-ts/checkpoint-2']);
  else if (Array.isArray(value)) {
    if (value.length > 0 && rng.int(2)) {
      (value[0] as Record<string, unknown>)[pick(rng, ['epoch', 'layers', 'headLoss', 'validation', 'seconds'])] = pick(rng, wild);
    } else value.push(pick(rng, wild));
    meta[key] = JSON.stringify(value);
  } else {
    const obj = value as Record<string, unknown>;
    const field = pick(rng, Object.keys(obj));
    if (field === 'streams' && rng.int(2)) {
      const s = obj.streams as Record<string, { i: number; j: number; S: number[] }>;
      const st = s[pick(rng, Object.keys(s))]!;
      if (rng.int(2)) st.S[rng.int(256)] = pick(rng, [256, -1, 0, 1.5]);
      else st.i = pick(rng, [256, -1, 0.5]);
    } else obj[field] = pick(rng, wild);
    meta[key] = JSON.stringify(obj);
  }
  const tensors = [...file.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
  if (rng.int(4) === 0) {
    const t = pick(rng, tensors);
    if (t.data instanceof Int32Array) t.data[rng.int(t.data.length)] = pick(rng, [-1, 1e6, 0]);
    else t.data[rng.int(t.data.length)] = pick(rng, [NaN, Infinity, 1e30, 0]);
  }
  return encodeSafetensors(tensors, meta);
}

function fuzzCheckpoints(rng: Rng, cfg: Config, base: Uint8Array, n: number, tally: (o: Outcome, family: string) => void): void {
  const data = loadDataset({ trainLimit: cfg.trainLimit!, testLimit: cfg.testLimit! });
  const fp = dataFingerprint(data);
  const mm = createJsMatmul();
  for (let i = 0; i < n; i++) {
    const bytes = mutateCheckpoint(rng, base);
    tally(runCase(`checkpoint case ${i}`, 'ck', () => {
      const ck = parseCheckpoint(decodeSafetensors(bytes, 'ck'), 'ck');
      checkSameConfig(ck, cfg);
      checkSameData(ck, fp);
      const r = trainRun(cfg, data, mm, {}, checkpointRestorer(ck, cfg)); // what --resume does
      assert.equal(r.epochs.length, cfg.epochs);
    }), 'checkpoint');
  }
}

// ---- flags ------------------------------------------------------------------------------------

const VALUES = ['', '0', '-1', '1e400', 'NaN', '0x10', '1.5', '3', '784,abc', '784,,10', '784', '784,64', ' 2 ', 'all', 'none', 'last-0', 'last-2',
  'skip-first', 'adam', 'sgd', 'rms', 'constructor', '__proto__', 'toString', 'é', '9'.repeat(30), '--epochs', '-', '3,5', '5,3',
  'recurrent', 'hard'];

function fuzzFlags(rng: Rng, n: number, tally: (o: Outcome, family: string) => void): void {
  const names = Object.keys(TRAIN_FLAGS).filter((f) => f !== 'help');
  for (let i = 0; i < n; i++) {
    const argv: string[] = [];
    for (let k = 1 + rng.int(3); k > 0; k--) {
      const name = rng.int(12) === 0 ? pick(rng, ['bogus', 'layer', '-x', 'epochs=2']) : pick(rng, names);
      argv.push(`--${name}`);
      if (TRAIN_FLAGS[name]?.kind !== 'boolean' && rng.int(10) > 0) argv.push(pick(rng, VALUES));
    }
    tally(runCase(`flags case ${i}: ${argv.join(' ')}`, '', () => {
      const cfg = configFromFlags(parseFlags(argv, TRAIN_FLAGS), TRAIN_FLAGS, { ...DEFAULT_CONFIG });
      checkConfig(cfg);
    }), 'flags');
  }
}

// ---- the test ---------------------------------------------------------------------------------

function smallCheckpoint(cfg: Config): Uint8Array {
  const data = loadDataset({ trainLimit: cfg.trainLimit!, testLimit: cfg.testLimit! });
  let bytes: Uint8Array | null = null;
  try {
    trainRun(cfg, data, createJsMatmul(), {
      betweenSteps: (at, snapshot) => {
        if (at.stepsDone !== 1) return;
        const { tensors, metadata } = checkpointContents(snapshot(), cfg, dataFingerprint(data));
        bytes = encodeSafetensors(tensors, metadata);
        throw new Error('stop');
      },
    });
  } catch {
    // stopped after the first step
  }
  return bytes!;
}

test('fuzz: 620 seeded mutations of IDX files, models, checkpoints and flags end in a result or a one-line UserError', (t) => {
  const { dir, cleanup } = tempDir('fuzz');
  const table = new Map<string, Map<Outcome, number>>();
  const tally = (o: Outcome, family: string): void => {
    const m = table.get(family) ?? new Map<Outcome, number>();
    m.set(o, (m.get(o) ?? 0) + 1);
    table.set(family, m);
  };
  try {
    const rng = makeRng(SEED, 'fuzz');
    const cfg: Config = {
      ...DEFAULT_CONFIG, layers: [784, 8, 6], epochs: 1, batchSize: 50, trainLimit: 100, testLimit: 20, backend: 'js', threads: 1, seed: 4,
    };
    const modelPath = join(dir, 'base.safetensors');
    saveNetwork(modelPath, buildNetwork({ ...cfg, layers: [784, 6, 4] }, 10), { ...cfg, layers: [784, 6, 4] });
    const model = readSafetensors(modelPath);
    assert.equal(model.metadata.format, 'forward-forward-ts/1');
    fuzzIdx(rng, dir, 220, tally);
    fuzzModels(
      rng, dir, encodeSafetensors([...model.tensors].map(([name, x]) => ({ name, shape: x.shape, data: x.data })), model.metadata), 180, tally,
    );
    fuzzCheckpoints(rng, cfg, smallCheckpoint(cfg), 100, tally);
    fuzzFlags(rng, 120, tally);
  } finally {
    cleanup();
  }
  let total = 0;
  for (const [family, m] of table) {
    const rows = [...m].sort((a, b) => b[1] - a[1]);
    const n = rows.reduce((s, [, c]) => s + c, 0);
    total += n;
    t.diagnostic(`${family}: ${n} cases`);
    for (const [o, c] of rows) t.diagnostic(`  ${String(c).padStart(4)}  ${o}`);
    assert.ok(m.size >= 4, `${family}: the mutations reach at least 4 outcomes, got ${[...m.keys()].join(' | ')}`);
  }
  assert.equal(total, 620);
  t.diagnostic(`total ${total} cases`);
});

// A seeded sample through the scripts: exit 0 or 2, one line, no stack trace, bounded in time, and
// no partial output file (the model is complete or absent; no temporary file).
test('fuzz through the scripts: a seeded sample of mutated data, model, checkpoint and flags', (t) => {
  const { dir, cleanup } = tempDir('fuzz-cli');
  try {
    const rng = makeRng(SEED, 'fuzz-cli');
    writeFixtureDataset(dir, { trainCount: 40, testCount: 10, rows: 4, cols: 4 });
    const small = ['--layers', '16,6', '--epochs', '1', '--batch-size', '20', '--quiet'];
    const cases: { script: string; args: string[]; out: string | null }[] = [];
    // 1. A mutated training images file.
    const split = fixtureSplit(40, 4, 4);
    const bad = mutateIdx(rng, encodeIdx([40, 4, 4], split.images), 3).bytes;
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), bad);
    const out1 = join(dir, 'o1', 'm.safetensors');
    cases.push({ script: 'train.ts', args: ['--data-dir', dir, ...small, '--save', out1], out: out1 });
    // 2. A mutated model for eval.ts.
    const modelPath = join(dir, 'model.safetensors');
    const cfg: Config = { ...DEFAULT_CONFIG, layers: [784, 6, 4] };
    saveNetwork(modelPath, buildNetwork(cfg, 10), cfg);
    const model = readSafetensors(modelPath);
    const base = encodeSafetensors([...model.tensors].map(([name, x]) => ({ name, shape: x.shape, data: x.data })), model.metadata);
    writeFileSync(join(dir, 'bad-model.safetensors'), mutateSafetensors(rng, base));
    cases.push({ script: 'eval.ts', args: ['--model', join(dir, 'bad-model.safetensors'), '--test-limit', '20'], out: null });
    // 3. A mutated checkpoint for --resume.
    const ckCfg: Config = {
      ...DEFAULT_CONFIG, layers: [784, 8, 6], epochs: 1, batchSize: 50, trainLimit: 100, testLimit: 20, backend: 'js', threads: 1, seed: 4,
    };
    const ckDir = join(dir, 'ck');
    const out3 = join(dir, 'o3', 'm.safetensors');
    cases.push({
      script: 'train.ts',
      args: ['--layers', '784,8,6', '--epochs', '1', '--batch-size', '50', '--train-limit', '100', '--test-limit', '20', '--backend', 'js',
        '--threads', '1', '--seed', '4', '--quiet', '--resume', ckDir, '--save', out3],
      out: out3,
    });
    // 4–5. Mutated flags on a small run.
    for (let k = 0; k < 2; k++) {
      const name = pick(rng, ['epochs', 'batch-size', 'layers', 'lr', 'seed', 'scored-layers']);
      const out = join(dir, `o${4 + k}`, 'm.safetensors');
      cases.push({ script: 'train.ts', args: ['--data-dir', join(dir, 'good'), ...small, `--${name}`, pick(rng, VALUES), '--save', out], out });
    }
    mkdirSync(join(dir, 'good'));
    writeFixtureDataset(join(dir, 'good'), { trainCount: 40, testCount: 10, rows: 4, cols: 4 });
    for (const o of ['o1', 'o3', 'o4', 'o5', 'ck']) mkdirSync(join(dir, o));
    writeFileSync(join(ckDir, CHECKPOINT_FILE), mutateCheckpoint(rng, smallCheckpoint(ckCfg)));

    const codes = new Map<string, number>();
    for (const c of cases) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ['--import', 'tsx', join('scripts', c.script), ...c.args], { encoding: 'utf8', timeout: 30_000 });
      const label = `${c.script} ${c.args.join(' ')}`;
      assert.ok(r.signal === null, `${label}: killed after ${(performance.now() - t0).toFixed(0)} ms (hang?)`);
      assert.ok(r.status === 0 || r.status === 2, `${label}: exit ${r.status}\n${r.stderr}`);
      if (r.status === 2) {
        assert.match(r.stderr, /^error: [^\n]+\n$/, `${label}: one line`);
      }
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${label}: no stack trace`);
      if (c.out !== null) {
        const folder = join(c.out, '..');
        const left = readdirSync(folder);
        if (r.status === 0) assert.ok(readSafetensors(c.out).tensors.size > 0, `${label}: the model is complete`);
        else assert.deepStrictEqual(left, [], `${label}: nothing left in the output folder`);
        assert.ok(left.every((f) => !f.endsWith('.tmp')), `${label}: no temporary file`);
      }
      const key = r.status === 0 ? 'exit 0' : `exit 2: ${kindOf(r.stderr.slice('error: '.length).trim(), '')}`;
      codes.set(key, (codes.get(key) ?? 0) + 1);
      assert.ok(existsSync(join(dir, 'good')));
    }
    for (const [k, c] of codes) t.diagnostic(`${String(c).padStart(3)}  ${k}`);
    assert.equal(cases.length, 5);
  } finally {
    cleanup();
  }
});
