// Tests for src/io/png.ts: the signature, chunk layout and CRCs of encoded bytes, and that
// inflating the IDAT gives back one filter byte (0) per row followed by the pixels; the grid
// layout of imageGrid (padding, tile placement, [0, 1] → 0..255 mapping).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { crc32, encodePngGray, encodePngRgb, imageGrid, zoomPixels } from '../src/io/png.ts';

interface Chunk {
  type: string;
  data: Uint8Array;
  crc: number;
  crcInput: Uint8Array;
}

function readChunks(png: Uint8Array): Chunk[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    chunks.push({
      type,
      data: png.subarray(at + 8, at + 8 + len),
      crc: view.getUint32(at + 8 + len),
      crcInput: png.subarray(at + 4, at + 8 + len),
    });
    at += 12 + len;
  }
  assert.equal(at, png.length, 'chunks end exactly at the end of the file');
  return chunks;
}

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('encodePngGray: signature, IHDR, chunk CRCs, IDAT inflates to filter bytes + pixels', () => {
  const width = 5;
  const height = 3;
  const pixels = new Uint8Array(width * height).map((_, i) => (i * 17) & 255);
  const png = encodePngGray(width, height, pixels);
  assert.deepStrictEqual(png.subarray(0, 8), Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a));
  const chunks = readChunks(png);
  assert.deepStrictEqual(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
  for (const c of chunks) assert.equal(c.crc, crc32(c.crcInput), `CRC of ${c.type}`);
  const ihdr = chunks[0]!.data;
  const hv = new DataView(ihdr.buffer, ihdr.byteOffset, ihdr.byteLength);
  assert.equal(ihdr.length, 13);
  assert.equal(hv.getUint32(0), width);
  assert.equal(hv.getUint32(4), height);
  assert.deepStrictEqual([...ihdr.subarray(8)], [8, 0, 0, 0, 0]);
  assert.equal(chunks[2]!.data.length, 0);
  const raw = new Uint8Array(inflateSync(chunks[1]!.data));
  const expected = new Uint8Array(height * (width + 1));
  for (let r = 0; r < height; r++) expected.set(pixels.subarray(r * width, (r + 1) * width), r * (width + 1) + 1);
  assert.deepStrictEqual(raw, expected);
});

test('encodePngGray: rejects a pixel buffer of the wrong size', () => {
  assert.throws(() => encodePngGray(4, 4, new Uint8Array(15)), /15 bytes, expected 4×4 = 16/);
});

test('imageGrid: padding, placement left-to-right then top-to-bottom, clamped [0, 1] mapping', () => {
  const t0 = Float32Array.of(0, 1, 0.5, 2); // 2×2: 0, 255, 128 (round 127.5), clamped 255
  const t1 = Float32Array.of(-1, 0.25, 0.75, 1); // 0, 64 (63.75), 191 (191.25), 255
  const t2 = Float32Array.of(1, 1, 1, 1);
  const g = imageGrid([t0, t1, t2], 2, 2, 2, 1);
  assert.equal(g.width, 2 * 2 + 3 * 1);
  assert.equal(g.height, 2 * 2 + 3 * 1);
  const P = 128; // pad gray
  // prettier-ignore
  const expected = [
    P, P,   P,   P, P,   P,   P,
    P, 0,   255, P, 0,   64,  P,
    P, 128, 255, P, 191, 255, P,
    P, P,   P,   P, P,   P,   P,
    P, 255, 255, P, P,   P,   P,
    P, 255, 255, P, P,   P,   P,
    P, P,   P,   P, P,   P,   P,
  ];
  assert.deepStrictEqual([...g.pixels], expected);
  assert.throws(() => imageGrid([t0, Float32Array.of(1)], 2, 2, 2, 1), /tile 1 has 1 floats/);
});

test('encodePngRgb: colour type 2, and the IDAT inflates to a filter byte + 3 bytes per pixel on each row', () => {
  const px = Uint8Array.of(255, 0, 0, 0, 255, 0, /* row 2 */ 0, 0, 255, 7, 8, 9);
  const chunks = readChunks(encodePngRgb(2, 2, px));
  const ihdr = chunks[0]!.data;
  assert.deepEqual([ihdr[8], ihdr[9]], [8, 2]);
  assert.deepEqual(new Uint8Array(inflateSync(chunks[1]!.data)), Uint8Array.of(0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 7, 8, 9));
  assert.throws(() => encodePngRgb(2, 2, px.subarray(1)), /11 bytes, expected 2×2×3 = 12/);
});

test('zoomPixels repeats every pixel zoom×zoom times, all channels together', () => {
  assert.deepEqual(zoomPixels(2, 1, 1, Uint8Array.of(1, 2), 2), Uint8Array.of(1, 1, 2, 2, 1, 1, 2, 2));
  assert.deepEqual(zoomPixels(1, 1, 3, Uint8Array.of(4, 5, 6), 2), Uint8Array.of(4, 5, 6, 4, 5, 6, 4, 5, 6, 4, 5, 6));
});
