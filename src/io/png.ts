// A minimal PNG writer: 8-bit grayscale or RGB, non-interlaced, filter type 0 (None) on every row,
// the whole image in one IDAT chunk compressed with node:zlib's deflateSync.
// Also lays out float images in [0, 1] as a padded grid of tiles for inspection.
// It does not read PNGs, write alpha or 16-bit images, or choose per-row filters for size.
// Letters: W = image width, H = image height (pixels), row-major, one byte per pixel and channel.
import { deflateSync } from 'node:zlib';

/** The 8-byte PNG signature. */
const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** Gray level of the padding between grid tiles: mid-gray, distinct from black 0 and white 255. */
const GRID_PAD_VALUE = 128;

/** The CRC-32 table (IEEE, reflected polynomial 0xEDB88320), one entry per byte value. */
function makeCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** Computed once at load; never written afterwards. */
const CRC_TABLE: Uint32Array = makeCrcTable();

/** CRC-32 of bytes[start .. end), as PNG uses it (over chunk type + data). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One chunk: length (4, big-endian), type (4 ASCII), data, CRC over type + data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** Encode a W×H 8-bit grayscale image (pixels is (H, W) row-major) as PNG bytes. */
export function encodePngGray(width: number, height: number, pixels: Uint8Array): Uint8Array {
  return encodePng('encodePngGray', width, height, 1, pixels);
}

/** Encode a W×H 8-bit RGB image (pixels is (H, W, 3) row-major) as PNG bytes. */
export function encodePngRgb(width: number, height: number, pixels: Uint8Array): Uint8Array {
  return encodePng('encodePngRgb', width, height, 3, pixels);
}

// channels 1 = gray (colour type 0), 3 = RGB (colour type 2); pixels is (H, W, channels).
function encodePng(who: string, width: number, height: number, channels: 1 | 3, pixels: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${who}: size must be positive integers, got ${width}×${height}`);
  }
  const rowBytes = width * channels;
  if (pixels.length !== rowBytes * height) {
    const shape = `${height}×${width}${channels > 1 ? `×${channels}` : ''}`;
    throw new Error(`${who}: pixels has ${pixels.length} bytes, expected ${shape} = ${rowBytes * height}`);
  }
  // IHDR: width, height, bit depth 8, colour type, compression 0, filter 0, interlace 0.
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = channels === 1 ? 0 : 2;
  // Raw scanlines: each row is a filter-type byte (0 = None) followed by its W·channels bytes.
  const raw = new Uint8Array(height * (rowBytes + 1));
  for (let r = 0; r < height; r++) {
    raw[r * (rowBytes + 1)] = 0;
    raw.set(pixels.subarray(r * rowBytes, (r + 1) * rowBytes), r * (rowBytes + 1) + 1);
  }
  const idat = new Uint8Array(deflateSync(raw));
  const parts = [PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Nearest-neighbour upscale of a (height, width, channels) uint8 image by an integer factor. */
export function zoomPixels(width: number, height: number, channels: number, pixels: Uint8Array, zoom: number): Uint8Array {
  const W = width * zoom;
  const out = new Uint8Array(W * height * zoom * channels);
  for (let y = 0; y < height * zoom; y++) {
    const src = Math.floor(y / zoom) * width;
    for (let x = 0; x < W; x++) {
      const i = (src + Math.floor(x / zoom)) * channels, o = (y * W + x) * channels;
      for (let k = 0; k < channels; k++) out[o + k] = pixels[i + k]!;
    }
  }
  return out;
}

/**
 * Lay tiles out left to right, top to bottom, `gridCols` per grid row, with `pad` pixels of
 * mid-gray (128) around and between them. Each tile is (tileRows, tileCols) row-major floats;
 * values are clamped to [0, 1] and mapped to round(255·v). Missing cells of the last row stay gray.
 */
export function imageGrid(
  tiles: Float32Array[],
  tileRows: number,
  tileCols: number,
  gridCols: number,
  pad: number,
): { width: number; height: number; pixels: Uint8Array } {
  if (tiles.length === 0) throw new Error('imageGrid: no tiles');
  for (const [name, v, min] of [['tileRows', tileRows, 1], ['tileCols', tileCols, 1], ['gridCols', gridCols, 1], ['pad', pad, 0]] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`imageGrid: ${name} must be an integer >= ${min}, got ${v}`);
  }
  const tilePixels = tileRows * tileCols;
  tiles.forEach((t, i) => {
    if (t.length !== tilePixels) {
      throw new Error(`imageGrid: tile ${i} has ${t.length} floats, expected (${tileRows}, ${tileCols}) = ${tilePixels}`);
    }
  });
  const gridRows = Math.ceil(tiles.length / gridCols);
  const width = gridCols * tileCols + (gridCols + 1) * pad;
  const height = gridRows * tileRows + (gridRows + 1) * pad;
  const pixels = new Uint8Array(width * height).fill(GRID_PAD_VALUE);
  for (let t = 0; t < tiles.length; t++) {
    const tile = tiles[t]!;
    const x0 = pad + (t % gridCols) * (tileCols + pad);
    const y0 = pad + Math.floor(t / gridCols) * (tileRows + pad);
    for (let r = 0; r < tileRows; r++) {
      const dst = (y0 + r) * width + x0;
      const src = r * tileCols;
      for (let c = 0; c < tileCols; c++) {
        const v = tile[src + c]!;
        // NaN maps to 0 (the comparisons are false for NaN).
        pixels[dst + c] = v >= 1 ? 255 : v > 0 ? Math.round(255 * v) : 0;
      }
    }
  }
  return { width, height, pixels };
}
