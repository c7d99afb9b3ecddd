// The public API's datasets from arrays (src/index.ts): datasetFromArrays copies any ndarray view
// and float or byte pixels to bytes, and refuses malformed arrays with one line naming what is
// wrong. (The README's example program runs against the installed package: test/package.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ndarray from 'ndarray';
import { datasetFromArrays, splitFromArrays } from '../src/index.ts';
import { assertUserError } from './helpers.ts';

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
