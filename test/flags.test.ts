// Flags → Config (apps/cli/flags.ts): --mode X alone starts from mode X's documented default preset,
// the same config as --preset of that name; later flags still override it. And the memory check
// (src/run/check-config.ts checkMemory) refuses, before allocating, a config that cannot fit,
// giving the estimate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { configFromFlags, parseFlags, TRAIN_FLAGS } from '../apps/cli/flags.ts';
import { checkConfig, checkConfigAgainstData, checkMemory } from '../src/run/check-config.ts';
import { estimateMemory } from '../src/run/memory-estimate.ts';
import { modelConfig } from '../src/config/stored.ts';
import { assertUserError } from './helpers.ts';

const configOf = (argv: string[]): Config => configFromFlags(parseFlags(argv, TRAIN_FLAGS), TRAIN_FLAGS, { ...DEFAULT_CONFIG });

test('--mode recurrent / unsupervised alone give the same config as --preset recurrent / unsupervised', () => {
  for (const mode of ['recurrent', 'unsupervised'] as const) {
    const byMode = configOf(['--mode', mode]), byPreset = configOf(['--preset', mode]);
    assert.deepStrictEqual(byMode, byPreset, mode);
    assert.equal(byMode.preset, mode);
  }
  const rec = configOf(['--mode', 'recurrent']);
  assert.deepStrictEqual([rec.layers, rec.lr, rec.labelStrength], [[784, 500, 500], 0.001, 15]);
  const unsup = configOf(['--mode', 'unsupervised']);
  assert.deepStrictEqual([unsup.layers, unsup.scoredLayers, unsup.lr], [[784, 500, 500, 500], 'last-3', 0.001]);
  assert.deepStrictEqual(configOf(['--mode', 'supervised']), configOf([]));
  assert.deepStrictEqual(configOf(['--mode', 'recurrent', '--layers', '784,64,32']).layers, [784, 64, 32], 'flags override the mode preset');
  assert.equal(configOf(['--mode', 'recurrent', '--lr', '0.01']).labelStrength, 15);
  assertUserError(() => configOf(['--mode', 'sideways']), ['--mode', 'sideways']);
});

test('the hinton-aug preset is the hinton recipe with shifts, dropout, weight cost 0.002 and 60 epochs; recurrent-aug likewise; scff shifts', () => {
  const aug = configOf(['--preset', 'hinton-aug']);
  const spelled = configOf(['--preset', 'hinton', '--shift', '1', '--dropout', '0.1', '--weight-cost', '0.002', '--epochs', '60']);
  assert.deepStrictEqual({ ...aug, preset: 'hinton' }, spelled);
  assert.equal(configOf(['--preset', 'scff']).shift, 1);
  const recAug = configOf(['--preset', 'recurrent-aug']);
  const recSpelled = configOf(['--preset', 'recurrent', '--shift', '1', '--dropout', '0.1', '--epochs', '24']);
  assert.deepStrictEqual({ ...recAug, preset: 'recurrent' }, recSpelled, 'recurrent-aug: the recurrent recipe with shifts, dropout and 24 epochs');
});

test('parseFlags: --name value and --name=value, booleans alone, a later repeat wins; the rest are user errors', () => {
  assert.deepStrictEqual(parseFlags(['--lr', '0.5', '--epochs=3', '--greedy', '--lr=0.25', '--seed', '-1'], TRAIN_FLAGS),
    { lr: '0.25', epochs: '3', greedy: true, seed: '-1' });
  assert.deepStrictEqual(parseFlags([], TRAIN_FLAGS), {});
  assert.equal(configOf(['--no-shortcuts']).shortcuts, false);
  assertUserError(() => parseFlags(['--lr'], TRAIN_FLAGS), ['--lr: missing value']);
  assertUserError(() => parseFlags(['--lr', '--epochs', '3'], TRAIN_FLAGS), ['--lr: missing value']);
  assertUserError(() => parseFlags(['--quiet=1'], TRAIN_FLAGS), ['--quiet takes no value']);
  assertUserError(() => parseFlags(['--bogus'], TRAIN_FLAGS), ['unknown flag --bogus']);
  assertUserError(() => parseFlags(['--constructor', '1'], TRAIN_FLAGS), ['unknown flag --constructor']);
  assertUserError(() => parseFlags(['-e', '3'], TRAIN_FLAGS), ['unknown flag -e', 'flags are long']);
  assertUserError(() => parseFlags(['3'], TRAIN_FLAGS), ["unexpected argument '3'"]);
  assertUserError(() => parseFlags(['--'], TRAIN_FLAGS), ["unexpected argument '--'"]);
});

test('a config whose buffers cannot fit is refused before allocating, with the estimate', () => {
  const big: Config = { ...DEFAULT_CONFIG, mode: 'unsupervised', layers: [784, 2000, 2000, 2000, 2000], scoredLayers: 'last-3', batchSize: 60000 };
  const est = estimateMemory(big);
  // 120000 workspace rows × (784 + 3·6002 + 4784 + 784 + 6000 + 2000 + 40) floats ≈ 15.8 GB
  assert.ok(est.buffers > 15e9 && est.buffers < 17e9, `estimate ${est.buffers}`);
  assertUserError(() => checkMemory(big), ['--batch-size 60000 with --layers 784,2000,2000,2000,2000', 'GB of wasm memory', '2.1 GB limit']);
  assertUserError(() => checkMemory({ ...big, backend: 'js' }, 8e9), ['needs about 15.8 GB', "this machine's 8.0 GB"]);
  checkMemory({ ...big, backend: 'js' }, 64e9); // fits a 64 GB machine
  checkMemory({ ...DEFAULT_CONFIG }, 1e9); // the default run fits 1 GB
  const small = estimateMemory({ ...DEFAULT_CONFIG, layers: [784, 2000, 2000, 2000, 2000], batchSize: 1000 });
  assert.ok(small.buffers + small.wasm < 0.68e9, 'below the measured peak RSS of this config (README: 0.68 GB)');
});

test('--no-shortcuts runs the plain supervised step, is stored with the model (it changes bits), and applies to supervised only', () => {
  assert.equal(configOf([]).shortcuts, true);
  const plain = configOf(['--no-shortcuts']);
  assert.equal(plain.shortcuts, false);
  assert.deepStrictEqual({ ...plain, shortcuts: true }, configOf([]), 'nothing else changes');
  assert.equal(modelConfig(plain).shortcuts, false);
  assertUserError(() => checkConfig(configOf(['--mode', 'unsupervised', '--no-shortcuts'])), ['--no-shortcuts', 'supervised']);
});

test('--loss, --symba-alpha, --shift and --dropout: parsed, checked, stored with the model only when set', () => {
  const on = configOf(['--loss', 'symba', '--symba-alpha', '0.5', '--shift', '2', '--dropout', '0.1']);
  assert.deepStrictEqual([on.loss, on.symbaAlpha, on.shift, on.dropout], ['symba', 0.5, 2, 0.1]);
  checkConfig(on);
  const stored = modelConfig(on);
  assert.deepStrictEqual([stored.loss, stored.symbaAlpha, stored.shift, stored.dropout], ['symba', 0.5, 2, 0.1]);
  const off = modelConfig(configOf([]));
  for (const k of ['loss', 'symbaAlpha', 'shift', 'dropout']) {
    assert.ok(!(k in off), `${k} at its default is not stored (files of runs without it keep their bytes)`);
  }
  assertUserError(() => configOf(['--loss', 'hinge']), ['--loss', 'ff, symba', 'hinge']);
  assertUserError(() => configOf(['--loss', 'symba', '--symba-alpha', '0']), ['--symba-alpha', '> 0']);
  assertUserError(() => configOf(['--shift', '-1']), ['--shift', '-1']);
  assertUserError(() => configOf(['--shift', '1.5']), ['--shift', 'whole number']);
  assertUserError(() => configOf(['--dropout', '-0.1']), ['--dropout', '-0.1']);
  assertUserError(() => checkConfig(configOf(['--dropout', '1'])), ['--dropout 1', '< 1']);
  assertUserError(() => checkConfig(configOf(['--symba-alpha', '2'])), ['--symba-alpha applies to --loss symba only']);
  // Against the data: a shift must be smaller than both sides of the images, whatever their size.
  checkConfigAgainstData({ ...on, layers: [48, 8], shift: 5 }, 48, 8, 6, 100);
  assertUserError(() => checkConfigAgainstData({ ...on, layers: [48, 8], shift: 6 }, 48, 8, 6, 100), ['--shift 6', '8×6 images', 'at most 5']);
});
