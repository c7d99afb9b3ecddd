// Tests of the trace as text and of its command line (src/trace/trace.ts, scripts/inspect.ts, schema
// in docs/TRACE.md): the same seed gives byte-identical JSON; a step past the run, too many test
// images or a trace over its size limit is a one-line UserError; the CLI writes what traceRun
// returns, in every mode and contrast, says what the step drew, and its mistakes are one line, exit 2.
// Small: 784 → 16 → 8, B = 4, 64 training images (16 steps an epoch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPreset } from '../src/config/presets.ts';
import { UserError } from '../src/errors.ts';
import { TRACE_FORMAT, type Trace } from '../src/trace/schema.ts';
import { traceRun, traceToJson } from '../src/trace/trace.ts';
import { assertUserError } from './helpers.ts';
import { data, SMALL } from './trace-helpers.ts';

test('the same seed gives byte-identical JSON, another seed does not', () => {
  const a = traceToJson(traceRun(SMALL, data, { step: 2, evalImages: 0 }));
  assert.ok(a === traceToJson(traceRun(SMALL, data, { step: 2, evalImages: 0 })), 'two traces of the same config differ');
  assert.notEqual(traceToJson(traceRun({ ...SMALL, seed: 2 }, data, { step: 2, evalImages: 0 })), a);
  const t = JSON.parse(a) as Trace;
  assert.equal(t.format, TRACE_FORMAT);
  assert.deepEqual([t.step.number, t.step.epoch, t.step.stepInEpoch, t.step.stepsPerEpoch], [2, 1, 2, 16]);
});

test('a step past the run, too many test images, or a trace over the limit is a one-line UserError', () => {
  assertUserError(() => traceRun(SMALL, data, { step: 16 * 8 + 1, evalImages: 0 }), ['--step', '128']);
  assertUserError(() => traceRun(SMALL, data, { step: 1, evalImages: 9 }), ['--eval', '8']);
  assertUserError(() => traceRun({ ...SMALL, layers: [784, 2000, 2000], batchSize: 60 }, data, { step: 1, evalImages: 0 }),
    ['MB', '--layers', '--batch-size']);
  assert.throws(() => traceRun(SMALL, data, { step: 1, evalImages: 0 }, 1e5), UserError);
});

test('scripts/inspect.ts writes the trace of any mode; a bad flag is one line and exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-inspect-'));
  try {
    const out = join(dir, 'trace.json');
    const script = join(import.meta.dirname, '..', 'scripts', 'inspect.ts');
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8' });
    const ok = run(
      '--mode', 'unsupervised', '--backend', 'js', '--layers', '784,16,8', '--batch-size', '4', '--train-limit', '64', '--test-limit', '8',
      '--step', '3', '--eval', '2', '--out', out,
    );
    assert.equal(ok.status, 0, ok.stderr);
    const text = readFileSync(out, 'utf8');
    const cfg = { ...applyPreset({ ...SMALL }, 'unsupervised', 'unsupervised'), layers: [784, 16, 8] };
    const expected = traceToJson(traceRun(cfg, data, { step: 3, evalImages: 2 }));
    assert.ok(text === expected, `the CLI's file and traceRun differ from character ${[...expected].findIndex((ch, i) => ch !== text[i])}`);
    for (const [args, flag] of [
      [['--layers', '784,x'], '--layers'],
      [['--step', '0'], '--step'],
      [['--layers', '784,16,8', '--train-limit', '64', '--batch-size', '4', '--step', '999'], '--step'],
    ] as const) {
      const bad = run(...args, '--out', out);
      assert.equal(bad.status, 2, bad.stderr);
      assert.match(bad.stderr, new RegExp(`^error: ${flag}: .*\\n$`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scripts/inspect.ts exits 0 with an empty stderr on every mode and contrast, and says what the step drew', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-inspect-modes-'));
  try {
    const out = join(dir, 'trace.json');
    const script = join(import.meta.dirname, '..', 'scripts', 'inspect.ts');
    const common = [
      '--layers', '784,16,8', '--batch-size', '4', '--train-limit', '64', '--test-limit', '8', '--step', '3', '--eval', '2', '--threads', '1',
    ];
    const cases: [string, string[], RegExp][] = [
      ['supervised', ['--mode', 'supervised'], /wrong labels \d,\d,\d,\d \(hard\)/],
      ['unsupervised hybrid', ['--mode', 'unsupervised'], /hybrid partners \d,\d,\d,\d/],
      ['unsupervised scff, one view', ['--mode', 'unsupervised', '--contrast', 'scff'], /scff pair partners \d,\d,\d,\d \(offset [123]\)/],
      ['unsupervised scff, two views', ['--preset', 'scff', '--shift', '1', '--views', '2'], /scff pair partners .*; shifts dx:dy .*, second view /],
      ['recurrent', ['--mode', 'recurrent'], /wrong labels \d,\d,\d,\d \(hard\)/],
    ];
    for (const [name, args, drawn] of cases) {
      for (const withEval of [true, false]) {
        const argv = withEval ? [...common, ...args] : [...common.slice(0, -4), ...common.slice(-2), ...args];
        const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...argv, '--out', out], { encoding: 'utf8' });
        assert.equal(run.status, 0, `${name}: exit ${run.status}\n${run.stderr}`);
        assert.equal(run.stderr, '', `${name}: stderr`);
        assert.match(run.stdout, drawn, `${name}: the summary line`);
        const trace = JSON.parse(readFileSync(out, 'utf8')) as { step: { number: number }; evaluation?: unknown };
        assert.equal(trace.step.number, 3, name);
        assert.equal(trace.evaluation !== undefined, withEval, `${name}: evaluation in the trace`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
