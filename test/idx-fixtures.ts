// Test helpers: encode small IDX files and write them into a fresh temporary directory.
// Used by idx.test.ts and dataset.test.ts; kept out of *.test.ts so node --test does not run it.
// The encoder is written from the format description (magic, big-endian int32 dims, bytes),
// independently of src/data/idx.ts, so a test can catch a decoder that misreads the header.
// Nothing here is random: fixture pixels and labels are fixed formulas of their index.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** IDX bytes: magic (0x00000800 + dims.length), dims as big-endian int32, then `data`. */
export function encodeIdx(dims: number[], data: Uint8Array, magic = 0x0800 + dims.length): Uint8Array {
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setInt32(4 + 4 * i, d, false));
  out.set(data, header);
  return out;
}

/** A fresh temporary directory and a function that deletes it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `ff-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write `bytes` to dir/name, gzipped (with `.gz` appended) when asked; returns the path. */
export function writeFixture(dir: string, name: string, bytes: Uint8Array, gzip = false): string {
  const path = join(dir, gzip ? `${name}.gz` : name);
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

/** Pixel p of image i in a fixture split: distinct per (i, p) for small sizes, spans 0..255. */
export const fixturePixel = (i: number, p: number): number => (i * 37 + p * 11) % 256;
/** Label of image i in a fixture split. */
export const fixtureLabel = (i: number): number => (i * 3) % 10;

/** (count, rows, cols) images and (count) labels following fixturePixel/fixtureLabel. */
export function fixtureSplit(count: number, rows: number, cols: number): { images: Uint8Array; labels: Uint8Array } {
  const P = rows * cols;
  const images = new Uint8Array(count * P);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = fixtureLabel(i);
    for (let p = 0; p < P; p++) images[i * P + p] = fixturePixel(i, p);
  }
  return { images, labels };
}

/** Write the four standard IDX files of a (trainCount, testCount) rows×cols dataset into dir. */
export function writeFixtureDataset(
  dir: string,
  opts: { trainCount: number; testCount: number; rows: number; cols: number; gzip?: boolean },
): void {
  const { trainCount, testCount, rows, cols } = opts;
  const gzip = opts.gzip ?? false;
  const train = fixtureSplit(trainCount, rows, cols);
  const test = fixtureSplit(testCount, rows, cols);
  writeFixture(dir, 'train-images-idx3-ubyte', encodeIdx([trainCount, rows, cols], train.images), gzip);
  writeFixture(dir, 'train-labels-idx1-ubyte', encodeIdx([trainCount], train.labels), gzip);
  writeFixture(dir, 't10k-images-idx3-ubyte', encodeIdx([testCount, rows, cols], test.images), gzip);
  writeFixture(dir, 't10k-labels-idx1-ubyte', encodeIdx([testCount], test.labels), gzip);
}
