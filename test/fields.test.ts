// The table of fields (src/config/fields.ts) and what is derived from it: DEFAULT_CONFIG, the
// flags of train.ts with their help, what a saved model stores (src/config/stored.ts), a stored
// config read back through the fields' parsers, the checkpoint's flag names and the playground's
// refusals; and docs/OPTIONS.md against the table and against `train.ts --help`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { fieldRows, FIELDS, flagOf, inPage, isStored } from '../src/config/fields.ts';
import { configFromStored, modelConfig } from '../src/config/stored.ts';
import { configFromFlags, parseFlags, TRAIN_FLAGS } from '../apps/cli/flags.ts';
import { buildNetwork } from '../src/run/train-run.ts';
import { optionsMarkdown } from '../apps/cli/options-doc.ts';
import { assertUserError } from './helpers.ts';

const REPO = join(import.meta.dirname, '..');

test('DEFAULT_CONFIG is the rows\' defaults in the table\'s order; every flag of train.ts is a row\'s flag with its help', () => {
  assert.deepStrictEqual(Object.keys(DEFAULT_CONFIG), Object.keys(FIELDS));
  for (const [name, f] of fieldRows()) assert.deepStrictEqual(DEFAULT_CONFIG[name], f.default, name);
  const flags = Object.keys(TRAIN_FLAGS).filter((n) => n !== 'help');
  assert.deepStrictEqual(flags, fieldRows().filter(([, f]) => f.flag !== null).map(([, f]) => f.flag));
  for (const [name, f] of fieldRows()) {
    if (f.flag === null) continue;
    const spec = TRAIN_FLAGS[f.flag]!;
    assert.equal(spec.field, name);
    assert.equal(spec.help, f.help);
    assert.equal(spec.kind, f.value === undefined ? 'boolean' : 'string', name);
  }
  assert.deepStrictEqual(fieldRows().filter(([, f]) => f.flag === null).map(([n]) => n), ['smoothing', 'headWeightCost', 'neutralLabel']);
});

test('a model stores the fields that can change a weight, in the order files have always had; later fields only when set', () => {
  // The key order of the first model files: the bytes of a model depend on it.
  const FIRST_FILES = [
    'mode', 'preset', 'layers', 'epochs', 'batchSize', 'optimizer', 'lr', 'schedule', 'smoothing', 'weightCost', 'headLr', 'headWeightCost', 'norm',
    'goodness', 'threshold', 'peerNorm', 'negatives', 'labelStrength', 'neutralLabel', 'shortcuts', 'greedy', 'scoredLayers', 'validation',
    'trainLimit', 'testLimit', 'dataDir', 'iterations', 'damping', 'scoreIterations', 'seed', 'backend',
  ];
  assert.deepStrictEqual(Object.keys(modelConfig({ ...DEFAULT_CONFIG })), FIRST_FILES);
  const set = modelConfig({ ...DEFAULT_CONFIG, shift: 1, views: 2, threads: 7, save: 'm.safetensors', quiet: true });
  assert.equal(set.shift, 1);
  assert.equal(set.views, 2);
  assert.ok(!('threads' in set) && !('save' in set) && !('quiet' in set), 'runtime and output fields are not stored');
  const notStored = fieldRows().filter(([, f]) => !isStored(f)).map(([n]) => n);
  assert.deepStrictEqual(notStored, [
    'threads', 'sparseInput', 'save', 'report', 'epochValidation', 'json', 'quiet', 'checkpoint', 'checkpointEvery', 'resume',
  ]);
});

test('a stored config reads back through the fields\' parsers; each problem is one line naming the file and the field or flag', () => {
  const where = 'm.safetensors';
  const back = configFromStored(
    JSON.parse(JSON.stringify(modelConfig({ ...DEFAULT_CONFIG, shift: 2, scoredLayers: [2] }))), { ...DEFAULT_CONFIG }, where,
  );
  assert.deepStrictEqual(back, { ...DEFAULT_CONFIG, shift: 2, scoredLayers: [2] });
  assert.deepStrictEqual(configFromStored({ scoredLayers: 'last-2', scoreIterations: [2, 4] }, { ...DEFAULT_CONFIG }, where).scoreIterations, [2, 4]);
  const bad = (stored: unknown, parts: string[]): void =>
    assertUserError(() => configFromStored(stored, { ...DEFAULT_CONFIG }, where), [where, ...parts]);
  bad([1], ['not a JSON object']);
  bad({ width: 3 }, ["unknown field 'width'"]);
  bad({ lr: -1 }, ['--lr', 'expected a number > 0']); // a flagged field: its flag's own message
  bad({ lr: '0.1' }, ['lr', 'not a valid value']); // a string where the default is a number
  bad({ smoothing: 1 }, ['smoothing', 'not a valid value']); // a field without a flag: named by the file
  bad({ layers: null }, ['layers', 'not a valid value']);
  bad({ layers: [784, 'a'] }, ['layers', 'not a valid value']);
  bad({ scoreIterations: [1, 2, 3] }, ['--score-iterations', 'two iteration numbers']);
  bad({ mode: 'sideways' }, ['--mode', 'sideways']);
  bad({ receptiveField: '28x28' }, ['--receptive-field']);
  bad({ greedy: 'yes' }, ['greedy', 'not a valid value']);
});

test('the checkpoint names a field by its flag; the playground refuses exactly the terminal-only flags', () => {
  assert.equal(flagOf('batchSize'), '--batch-size');
  assert.equal(flagOf('smoothing'), 'smoothing');
  const refused = fieldRows().filter(([, f]) => f.flag !== null && !inPage(f)).map(([, f]) => f.flag).sort();
  assert.deepStrictEqual(refused, [
    'backend', 'checkpoint', 'checkpoint-every', 'data-dir', 'epoch-validation', 'json', 'quiet', 'report', 'resume', 'save', 'sparse-input',
    'threads',
  ]);
});

test('docs/OPTIONS.md is what the table writes (npx tsx scripts/make-options-doc.ts), and says what train.ts --help says', () => {
  const page = readFileSync(join(REPO, 'docs', 'OPTIONS.md'), 'utf8');
  assert.ok(page === optionsMarkdown(), 'docs/OPTIONS.md is out of date: run npx tsx scripts/make-options-doc.ts');
  const help = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', 'train.ts'), '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  const lines = help.stdout.split('\n').filter((l) => /^ {2}--/.test(l));
  assert.equal(lines.length, Object.keys(TRAIN_FLAGS).length, 'one --help line per flag');
  for (const line of lines) {
    const m = /^ {2}(--\S+(?: \S+)?)\s{2,}(.*)$/.exec(line);
    assert.ok(m, `--help line: ${line}`);
    const [, flag, help_] = m;
    const esc = (s: string): string => s.replace(/\|/g, '\\|');
    assert.ok(page.includes(`| \`${flag}\` |`), `docs/OPTIONS.md lacks ${flag}`);
    assert.ok(page.includes(`| ${esc(help_!)} |`), `docs/OPTIONS.md lacks the help of ${flag}: ${help_}`);
  }
});

test('a Config built from every row\'s default is a valid config of the type', () => {
  const cfg: Config = { ...DEFAULT_CONFIG };
  assert.equal(cfg.mode, 'supervised');
  assert.deepStrictEqual(cfg.layers, [784, 1000, 1000]);
});

test('--init-scale, an option added as one row plus its use: W ~ N(0, X²/fan-in), X = 1 keeps every bit, stored only when set', () => {
  const cfg = (argv: string[]): Config => configFromFlags(parseFlags(argv, TRAIN_FLAGS), TRAIN_FLAGS, { ...DEFAULT_CONFIG });
  const small = ['--layers', '16,8,4'];
  assert.equal(cfg([...small, '--init-scale', '0.5']).initScale, 0.5);
  assertUserError(() => cfg(['--init-scale', '0']), ['--init-scale', 'expected a number > 0']);
  const one = buildNetwork(cfg(small), 10), half = buildNetwork(cfg([...small, '--init-scale', '0.5']), 10);
  const same = buildNetwork(cfg([...small, '--init-scale', '1']), 10);
  for (let l = 0; l < one.layers.length; l++) {
    assert.deepStrictEqual(same.layers[l]!.W, one.layers[l]!.W, `layer ${l + 1}: --init-scale 1 is the default, bit for bit`);
    // Halving is exact in binary floating point: the same normals, each weight exactly half.
    assert.deepStrictEqual(half.layers[l]!.W, one.layers[l]!.W.map((w) => w / 2), `layer ${l + 1}: --init-scale 0.5 halves every weight`);
  }
  assert.ok(!('initScale' in modelConfig(cfg(small))), 'the default is not stored, so older models keep their bytes');
  assert.equal(modelConfig(cfg(['--init-scale', '2'])).initScale, 2);
  const rec = (x: string): number[] => Array.from(buildNetwork(cfg(['--mode', 'recurrent', ...small, '--init-scale', x]), 10).layers[0]!.W);
  assert.deepStrictEqual(rec('0.5'), rec('1').map((w) => w / 2), 'the recurrent net takes it too');
});
