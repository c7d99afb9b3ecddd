// Tests for src/data/idx.ts: exact decoding of small IDX fixtures, plain and gzipped, and a
// one-line UserError naming the file for every kind of broken file (truncated, over-long, wrong
// magic, wrong rank, missing, corrupt gzip). Fixtures are written to a temporary directory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readIdx, readIdxImages, readIdxLabels } from '../src/data/idx.ts';
import { encodeIdx, tempDir, writeFixture } from './idx-fixtures.ts';
import { assertUserError } from './helpers.ts';


// 2 images of 2×3, pixels 0..11, and 4 labels.
const PIXELS = Uint8Array.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
const LABELS = Uint8Array.from([5, 0, 4, 9]);

describe('readIdx', () => {
  let dir = '';
  let cleanup = (): void => {};
  before(() => ({ dir, cleanup } = tempDir('idx')));
  after(() => cleanup());

  for (const gzip of [false, true]) {
    const kind = gzip ? 'gzipped' : 'plain';

    test(`decodes ${kind} 3-D images exactly`, () => {
      const path = writeFixture(dir, `images-${kind}`, encodeIdx([2, 2, 3], PIXELS), gzip);
      const img = readIdxImages(path);
      assert.deepStrictEqual(img, { data: PIXELS, count: 2, rows: 2, cols: 3 });
      assert.deepStrictEqual(readIdx(path, 3), { data: PIXELS, dims: [2, 2, 3] });
    });

    test(`decodes ${kind} 1-D labels exactly`, () => {
      const path = writeFixture(dir, `labels-${kind}`, encodeIdx([4], LABELS), gzip);
      assert.deepStrictEqual(readIdxLabels(path), { data: LABELS, count: 4 });
    });

    test(`${kind}: truncated images name the file and the sizes`, () => {
      const bytes = encodeIdx([60000, 28, 28], new Uint8Array(1000));
      const path = writeFixture(dir, `trunc-${kind}`, bytes, gzip);
      const msg = 'truncated: header says 60000×28×28 = 47040000 pixel bytes, file has 1000 after the 16-byte header';
      assertUserError(() => readIdxImages(path), [path, msg]);
    });
  }

  test('a file one byte too long is an error', () => {
    // Header says 4 labels, but 5 follow.
    const bytes = encodeIdx([4], Uint8Array.from([...LABELS, 7]));
    const path = writeFixture(dir, 'long-labels', bytes);
    assertUserError(() => readIdxLabels(path), [path, 'too long', 'header says 4 label bytes, file has 5']);
  });

  test('a file shorter than its header is an error', () => {
    const path = writeFixture(dir, 'short-header', encodeIdx([2, 2, 3], PIXELS).subarray(0, 10));
    assertUserError(() => readIdxImages(path), [path, '16-byte header', 'file has 10 bytes']);
  });

  test('an empty file is an error', () => {
    const path = writeFixture(dir, 'empty', new Uint8Array(0));
    assertUserError(() => readIdxLabels(path), [path, 'file has 0']);
  });

  test('a labels file where images are expected reports both magics', () => {
    const path = writeFixture(dir, 'labels-as-images', encodeIdx([4], LABELS));
    assertUserError(() => readIdxImages(path), [path, 'expected 0x00000803', 'found 0x00000801', '1-D, not 3-D']);
  });

  test('a non-uint8 element type is an error', () => {
    const path = writeFixture(dir, 'float-labels', encodeIdx([4], LABELS, 0x00000d01));
    assertUserError(() => readIdxLabels(path), [path, 'expected 0x00000801', 'found 0x00000d01', 'element type 0x0d']);
  });

  test('a file that is not IDX at all is an error', () => {
    const path = join(dir, 'text.txt');
    writeFileSync(path, 'hello, world');
    assertUserError(() => readIdxLabels(path), [path, 'wrong magic number', 'not an IDX file']);
  });

  test('a missing file names the path', () => {
    const path = join(dir, 'no-such-file-idx1-ubyte');
    assertUserError(() => readIdxLabels(path), [path, 'not found']);
  });

  test('a directory instead of a file names the path', () => {
    assertUserError(() => readIdxLabels(dir), [dir, 'directory']);
  });

  test('corrupt gzip names the path', () => {
    const gz = gzipSync(encodeIdx([2, 2, 3], PIXELS));
    const path = writeFixture(dir, 'corrupt.gz', gz.subarray(0, gz.length - 6));
    assertUserError(() => readIdxImages(path), [path, 'corrupt gzip']);
    const garbage = Uint8Array.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8]);
    const path2 = writeFixture(dir, 'garbage.gz', garbage);
    assertUserError(() => readIdxImages(path2), [path2, 'corrupt gzip']);
  });
});
