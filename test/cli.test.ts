// The scripts as a user meets them: --help works, and every user mistake (bad flag, malformed
// value, missing or truncated data, unreadable model) is one line on stderr, exit code 2, no stack.
// Also: a gzipped IDX dataset in --data-dir trains end to end, and --json ends stdout with JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../src/index.ts';
import { encodeIdx, tempDir, writeFixture, writeFixtureDataset } from './idx-fixtures.ts';

function run(script: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('scripts', script), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertUserError(script: string, args: string[], pattern: RegExp): void {
  const r = run(script, args);
  assert.equal(r.code, 2, `${script} ${args.join(' ')}: exit code ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${script} ${args.join(' ')}: expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test('train.ts --help prints usage and every flag', () => {
  const r = run('train.ts', ['--help']);
  assert.equal(r.code, 0);
  for (const flag of [
    '--mode', '--preset', '--layers', '--epochs', '--batch-size', '--lr', '--optimizer', '--negatives', '--seed', '--threads', '--train-limit',
    '--test-limit', '--save', '--json', '--data-dir', '--validation', '--greedy', '--shift', '--dropout', '--loss', '--symba-alpha',
  ]) {
    assert.ok(r.stdout.includes(flag), `help lacks ${flag}`);
  }
});

test('profile-step.ts: --help, a short profile of the real step, and its user errors', () => {
  const help = run('profile-step.ts', ['--help']);
  assert.equal(help.code, 0);
  for (const flag of ['--preset', '--threads', '--steps', '--warmup']) assert.ok(help.stdout.includes(flag), `help lacks ${flag}`);
  const r = run('profile-step.ts', ['--preset', 'seed-small', '--threads', '1', '--steps', '2', '--warmup', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1 thread\(s\): shortcuts on ÷ off \d+\.\d\d×/);
  // The first layer's products run sparse on MNIST (--sparse-input auto), the others dense.
  for (const part of ['matmul sparse 100×784·784×64', 'matmul 100×64·64×32', 'row job adamUpdate', 'all matmul calls', 'the step']) {
    assert.ok(r.stdout.includes(part), `no '${part}' row:\n${r.stdout}`);
  }
  assertUserError('profile-step.ts', ['--preset', 'recurrent'], /--preset recurrent: .*supervised/);
  assertUserError('profile-step.ts', ['--threads', '0'], /--threads/);
});

test('bad flags are one-line errors with exit code 2', () => {
  assertUserError('train.ts', ['--layers', '784,abc'], /--layers.*784,abc/);
  assertUserError('train.ts', ['--epochs', '-1'], /--epochs.*-1/);
  assertUserError('train.ts', ['--epochs', '2.5'], /--epochs/);
  assertUserError('train.ts', ['--bogus'], /unknown flag --bogus/);
  assertUserError('train.ts', ['--optimizer', 'rmsprop'], /--optimizer.*adam, sgd/);
  assertUserError('train.ts', ['--lr'], /--lr: missing value/);
  assertUserError('train.ts', ['--preset', 'nope'], /--preset.*nope/);
  assertUserError('train.ts', ['--layers', '784,10', '--scored-layers', '3'], /--scored-layers.*3/);
  assertUserError('train.ts', ['--layers', '100,10'], /--layers.*784 pixels/);
  assertUserError('eval.ts', ['--frobnicate'], /unknown flag/);
});

test('an output path that cannot be written fails before the data is read', () => {
  // The data folder does not exist either: had the data been read first, its error would be the one.
  const noData = ['--data-dir', '/missing/data'];
  assertUserError('train.ts', [...noData, '--save', '/missing/dir/m.safetensors'],
    /--save \/missing\/dir\/m\.safetensors: the folder \/missing\/dir does not exist/);
  assertUserError('train.ts', [...noData, '--save', 'README.md/m.safetensors'], /--save README\.md\/m\.safetensors: README\.md is not a folder/);
  assertUserError('train.ts', [...noData, '--save', 'test'], /--save test: is a folder/);
  assertUserError('train.ts', noData, /\/missing\/data/); // the data's own error, when the outputs are fine
});

test('bad recurrent options are one-line errors with exit code 2', () => {
  assertUserError('train.ts', ['--mode', 'recurrent', '--score-iterations', '3,9'], /--score-iterations 3,9.*--iterations \(8\)/);
  assertUserError('train.ts', ['--mode', 'recurrent', '--iterations', '2'], /--score-iterations 3,5/);
  assertUserError('train.ts', ['--mode', 'recurrent', '--iterations', '0'], /--iterations/);
  assertUserError('train.ts', ['--mode', 'recurrent', '--damping', '1.5'], /--damping.*1\.5/);
  assertUserError('train.ts', ['--mode', 'recurrent', '--greedy'], /--greedy does not apply to --mode recurrent/);
  assertUserError('train.ts', ['--mode', 'recurrent', '--label-strength', '-1'], /--label-strength/);
  assertUserError('train.ts', ['--preset', 'hinton-recurrent', '--mode', 'supervised'], /hinton-recurrent is for --mode recurrent/);
});

test('bad --dropout and --shift values are one-line errors with exit code 2 (the other values: test/flags.test.ts)', () => {
  assertUserError('train.ts', ['--dropout', '1'], /--dropout 1: .*< 1/);
  assertUserError('train.ts', ['--shift', '28', '--train-limit', '100', '--test-limit', '10'], /--shift 28: .*28×28 images \(at most 27\)/);
});

test('a recurrent model: eval.ts --by-iteration prints a row per iteration and the scored error train.ts printed', () => {
  const { dir, cleanup } = tempDir('cli-rec');
  try {
    writeFixtureDataset(dir, { trainCount: 60, testCount: 20, rows: 5, cols: 5, gzip: false });
    const model = join(dir, 'r.safetensors');
    const r = run('train.ts', ['--data-dir', dir, '--mode', 'recurrent', '--layers', '25,8,6', '--epochs', '1', '--batch-size', '20',
      '--iterations', '4', '--score-iterations', '2,3', '--save', model, '--json', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const trained = JSON.parse(r.stdout.trim().split('\n').pop()!) as { test: { goodnessError: number } };
    const e = run('eval.ts', ['--model', model, '--data-dir', dir, '--by-iteration', '--json']);
    assert.equal(e.code, 0, e.stderr);
    const out = e.stdout.trim().split('\n');
    for (const t of ['0 (bottom-up)', '1', '2', '3', '4']) assert.ok(out.some((l) => l.trim().startsWith(`${t} `)), `a row for t = ${t}`);
    const ev = JSON.parse(out.pop()!) as { byIteration: { scoredError: number; iterations: unknown[][] } };
    assert.equal(ev.byIteration.iterations.length, 5);
    assert.equal(ev.byIteration.iterations[0]!.length, 2, 'two hidden layers');
    assert.equal(ev.byIteration.scoredError, trained.test.goodnessError);
  } finally {
    cleanup();
  }
});

test('missing and truncated data files are one-line errors naming the file', () => {
  const { dir, cleanup } = tempDir('cli');
  try {
    assertUserError('train.ts', ['--data-dir', join(dir, 'nowhere')], /nowhere/);
    writeFixtureDataset(dir, { trainCount: 20, testCount: 10, rows: 4, cols: 4 });
    const full = encodeIdx([20, 4, 4], new Uint8Array(20 * 16));
    writeFixture(dir, 'train-images-idx3-ubyte', full.subarray(0, full.length - 5));
    assertUserError('train.ts', ['--data-dir', dir, '--layers', '16,8'], /train-images-idx3-ubyte.*truncated/);
  } finally {
    cleanup();
  }
});

test('an unreadable or foreign model file is a one-line error', () => {
  const { dir, cleanup } = tempDir('cli-model');
  try {
    assertUserError('eval.ts', ['--model', join(dir, 'missing.safetensors')], /missing\.safetensors/);
    writeFileSync(join(dir, 'junk.safetensors'), 'this is not a model at all');
    assertUserError('eval.ts', ['--model', join(dir, 'junk.safetensors')], /junk\.safetensors/);
    assertUserError('eval.ts', [], /--model/);
  } finally {
    cleanup();
  }
});

test('a gzipped IDX dataset trains end to end; --save then eval.ts agree; --json ends stdout', () => {
  const { dir, cleanup } = tempDir('cli-gz');
  try {
    writeFixtureDataset(dir, { trainCount: 60, testCount: 20, rows: 5, cols: 5, gzip: true });
    const model = join(dir, 'm.safetensors');
    const r = run('train.ts', ['--data-dir', dir, '--layers', '25,8,8', '--epochs', '1', '--batch-size', '20', '--save', model, '--json', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!) as { test: { goodnessError: number; softmaxError: number }; config: { layers: number[] } };
    assert.deepStrictEqual(last.config.layers, [25, 8, 8]);
    assert.ok(lines[0]!.startsWith('seed 1'), 'the seed is printed first');
    const e = run('eval.ts', ['--model', model, '--data-dir', dir, '--json']);
    assert.equal(e.code, 0, e.stderr);
    const evalLines = e.stdout.trim().split('\n');
    const ev = JSON.parse(evalLines[evalLines.length - 1]!) as { test: { goodnessError: number; softmaxError: number } };
    assert.deepStrictEqual(ev.test, last.test, 'eval.ts reproduces the errors train.ts printed');
    assertUserError('eval.ts', ['--model', model, '--data-dir', dir, '--by-iteration'], /--by-iteration:.*supervised model.*recurrent models only/);
  } finally {
    cleanup();
  }
});

test('readout.ts: a new head on a saved model\'s frozen layers; the layers keep their bits, the record its FF epochs', () => {
  const { dir, cleanup } = tempDir('cli-readout');
  try {
    writeFixtureDataset(dir, { trainCount: 60, testCount: 20, rows: 5, cols: 5, gzip: false });
    const model = join(dir, 'u.safetensors'), out = join(dir, 'r.safetensors');
    const t = run('train.ts', ['--data-dir', dir, '--mode', 'unsupervised', '--layers', '25,8,6', '--epochs', '2', '--readout-epochs', '1',
      '--batch-size', '20', '--validation', '20', '--save', model, '--quiet']);
    assert.equal(t.code, 0, t.stderr);
    const r = run('readout.ts', ['--model', model, '--data-dir', dir, '--epochs', '2', '--head-lr', '0.05', '--save', out, '--json', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as
      { epochs: { epoch: number; validation: { softmax: number } }[]; test: { softmaxError: number } };
    assert.deepStrictEqual(res.epochs.map((e) => e.epoch), [3, 4], 'numbered after the model\'s 2 FF epochs');
    assert.ok(res.epochs.every((e) => typeof e.validation.softmax === 'number'), 'the model\'s validation split, printed per epoch');
    const before = loadModel(model), after = loadModel(out);
    before.net.layers.forEach((l, i) => {
      assert.deepStrictEqual(after.net.layers[i]!.W, l.W, `layer ${i + 1} W`);
      assert.deepStrictEqual(after.net.layers[i]!.b, l.b, `layer ${i + 1} b`);
    });
    assert.notDeepStrictEqual(after.net.head.W, before.net.head.W, 'a new head');
    assert.deepStrictEqual([after.cfg.readoutEpochs, after.cfg.headLr, after.cfg.validation], [2, 0.05, 20]);
    assert.deepStrictEqual(after.record!.epochs.map((e) => e.trainingLayer), [null, null, 0, 0], 'the model\'s readout replaced');
    assert.equal(after.record!.test!.softmax, res.test.softmaxError);
    const e = run('eval.ts', ['--model', out, '--data-dir', dir, '--json']);
    assert.equal((JSON.parse(e.stdout.trim().split('\n').pop()!) as { test: { softmaxError: number } }).test.softmaxError, res.test.softmaxError,
      'eval.ts agrees');
    assertUserError('readout.ts', ['--data-dir', dir], /--model PATH is required/);
    assertUserError('readout.ts', ['--model', join(dir, 'none.safetensors')], /none\.safetensors/);
    const rec = join(dir, 'rec.safetensors');
    assert.equal(run('train.ts', [
      '--data-dir', dir, '--mode', 'recurrent', '--layers', '25,8,6', '--epochs', '1', '--batch-size', '20', '--iterations', '2',
      '--score-iterations', '1,2', '--save', rec, '--quiet',
    ]).code, 0);
    assertUserError('readout.ts', ['--model', rec, '--data-dir', dir], /recurrent model/);
  } finally {
    cleanup();
  }
});
