// The public API (src/index.ts) as a program uses it: the README's example, run exactly as it is
// written there (its code block is extracted and executed with tsx, importing 'forward-forward-ts'
// through package.json "exports"), must learn its toy task and reload its saved model to the same
// errors; and datasetFromArrays refuses malformed arrays with one line naming what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ndarray from 'ndarray';
import { datasetFromArrays, splitFromArrays } from '../src/index.ts';
import { assertUserError } from './helpers.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The first ```ts block under the README's "Use it from a program" heading. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it from a program'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README: no ```ts block under "## Use it from a program"');
  return m[1]!;
}

test('the README example trains on its own arrays, learns, saves and reloads to the same errors', () => {
  // The file lives inside the package (out/ is ignored by git) so that the self-reference
  // 'forward-forward-ts' resolves; it runs in a temporary folder, where it writes its model.
  mkdirSync(join(REPO, 'out'), { recursive: true });
  const file = join(REPO, 'out', `readme-example-${process.pid}.ts`);
  const cwd = mkdtempSync(join(tmpdir(), 'ff-api-'));
  writeFileSync(file, readmeExample());
  try {
    const tsx = pathToFileURL(join(REPO, 'node_modules/tsx/dist/esm/index.mjs')).href;
    const r = spawnSync(process.execPath, ['--import', tsx, file], { cwd, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const errors = (label: string): [number, number] => {
      const m = new RegExp(`^${label} \\{ goodness: ([\\d.e-]+), softmax: ([\\d.e-]+) \\}$`, 'm').exec(r.stdout);
      assert.ok(m, `no '${label}' line in:\n${r.stdout}`);
      return [Number(m[1]), Number(m[2])];
    };
    const trained = errors('test error'), reloaded = errors('reloaded');
    assert.ok(trained[0] < 0.1 && trained[1] < 0.1, `the example must learn (chance is 0.9): ${trained}`);
    assert.deepStrictEqual(reloaded, trained, 'the reloaded model gives the trained one\'s errors');
    assert.ok(existsSync(join(cwd, 'model.safetensors')));
  } finally {
    rmSync(file, { force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('datasetFromArrays: float pixels become bytes, ndarray views of any stride are copied, labels are kept', () => {
  // Two 2×2 images; the float split rounds 255·x; the ndarray split is a transposed view.
  const data = datasetFromArrays({
    train: { images: new Float32Array([0, 1, 0.5, 1 / 255, 1, 0, 0.25, 0.75]), labels: [3, 9] },
    test: { images: ndarray(new Uint8Array([1, 3, 2, 4, 5, 7, 6, 8]), [2, 2, 2], [4, 1, 2]), labels: new Int32Array([0, 1]) },
  rows: 2, cols: 2,
  });
  assert.deepStrictEqual(Array.from(data.train.images), [0, 255, 128, 1, 255, 0, 64, 191]);
  assert.deepStrictEqual(Array.from(data.train.labels), [3, 9]);
  assert.deepStrictEqual(Array.from(data.test.images), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(data.test.count, 2);
  assert.equal(data.classes, 10);
  assert.equal(data.validation, null);
  // rows and cols from a 3-D ndarray
  const fromShape = datasetFromArrays({
    train: { images: ndarray(new Float32Array(12), [2, 2, 3]), labels: [0, 0] }, test: { images: new Float32Array(6), labels: [1] },
  });
  assert.deepStrictEqual([fromShape.train.rows, fromShape.train.cols, fromShape.test.count], [2, 3, 1]);
});

test('datasetFromArrays: each malformed array is one UserError naming it', () => {
  const ok = { images: new Float32Array(8), labels: [0, 1] };
  const make = (train: object, extra: object = {}): unknown => datasetFromArrays({ train, test: ok, rows: 2, cols: 2, ...extra } as never);
  assertUserError(() => make({ images: new Float32Array([0, 0, 0, 1.5, 0, 0, 0, 0]), labels: [0, 1] }), ['train.images', 'pixel 3 is 1.5', '[0, 1]']);
  assertUserError(() => make({ images: new Float32Array([0, NaN, 0, 0, 0, 0, 0, 0]), labels: [0, 1] }), ['train.images', 'pixel 1 is NaN']);
  assertUserError(() => make({ images: new Float32Array(7), labels: [0] }), ['train.images', '7 pixels', '2×2']);
  assertUserError(() => make({ images: new Float32Array(8), labels: [0] }), ['train.labels', '1 labels for 2 images']);
  assertUserError(() => make({ images: new Float32Array(8), labels: [0, 10] }), ['train.labels', 'label 1 is 10', '0..9']);
  assertUserError(() => make({ images: new Float32Array(8), labels: [0, 0.5] }), ['train.labels', 'label 1 is 0.5']);
  assertUserError(() => make({ images: new Float64Array(8), labels: [0, 1] }), ['train.images', 'Float64Array']);
  assertUserError(() => make(ok, { rows: 0 }), ['rows', 'positive integer']);
  assertUserError(() => datasetFromArrays({ train: ok, test: ok }), ['rows and cols']);
  assertUserError(
    () => splitFromArrays('test', { images: ndarray(new Float32Array(6), [2, 3]), labels: [0, 0] }, 2, 2), ['test.images', 'shape [2, 3]'],
  );
});
