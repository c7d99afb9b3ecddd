// Sign-coloured pictures of weights as raw RGB pixels (no PNG, no file): which units to show
// (the strongest columns of W), their receptive fields as tiles, and a grid of tiles coloured red
// for positive and blue for negative values. The report encodes them as PNGs (pictures.ts); the
// playground puts the same pixels on a canvas.
// D = fan-in of the layer, H = its width, P = rows·cols pixels of an image.

/** An RGB raster, 3 bytes per pixel, row-major. */
export interface RgbPixels {
  width: number;
  height: number;
  rgb: Uint8Array;
}

const PAD_RGB = 200; // light gray between tiles

// rgb (3) = v / scale as a sign colour on white: +1 full red, −1 full blue, 0 white.
function signColour(rgb: Uint8Array, at: number, v: number, scale: number): void {
  const a = Math.max(-1, Math.min(1, scale > 0 ? v / scale : 0));
  const fade = Math.round(255 * (1 - Math.abs(a)));
  rgb[at] = a >= 0 ? 255 : fade;
  rgb[at + 1] = fade;
  rgb[at + 2] = a >= 0 ? fade : 255;
}

/**
 * Signed tiles (each tileRows×tileCols, any range) as one sign-coloured grid with a 1-pixel gap;
 * each tile is scaled by its own largest |value| (or by `scale` when given).
 */
export function signedTilesRgb(tiles: Float32Array[], tileRows: number, tileCols: number, gridCols: number, scale?: number): RgbPixels {
  const gridRows = Math.ceil(tiles.length / gridCols);
  const W = gridCols * tileCols + gridCols + 1, Hh = gridRows * tileRows + gridRows + 1;
  const px = new Uint8Array(W * Hh * 3).fill(PAD_RGB);
  tiles.forEach((tile, t) => {
    let s = scale ?? 0;
    if (scale === undefined) for (let i = 0; i < tile.length; i++) s = Math.max(s, Math.abs(tile[i]!));
    const x0 = 1 + (t % gridCols) * (tileCols + 1), y0 = 1 + Math.floor(t / gridCols) * (tileRows + 1);
    for (let r = 0; r < tileRows; r++) {
      for (let c = 0; c < tileCols; c++) signColour(px, ((y0 + r) * W + x0 + c) * 3, tile[r * tileCols + c]!, s);
    }
  });
  return { width: W, height: Hh, rgb: px };
}

/** The `k` columns of W (D, H) with the largest norm over rows [from, to), strongest first. */
export function strongestUnits(W: Float32Array, H: number, from: number, to: number, k: number): number[] {
  const norms = new Float64Array(H);
  for (let i = from; i < to; i++) for (let j = 0; j < H; j++) norms[j] = norms[j]! + W[i * H + j]! ** 2;
  return Array.from({ length: H }, (_, j) => j).sort((a, b) => norms[b]! - norms[a]! || a - b).slice(0, k);
}

/**
 * Receptive fields: for each unit j of `units`, rows [from, from + P) of column j of W (D, H) as a
 * rows×cols tile; its first `blank` pixels (the label pixels) are shown as 0.
 */
export function receptiveFieldTiles(
  W: Float32Array, H: number, units: number[], from: number, rows: number, cols: number, blank: number,
): Float32Array[] {
  const P = rows * cols;
  return units.map((j) => {
    const t = new Float32Array(P);
    for (let p = blank; p < P; p++) t[p] = W[(from + p) * H + j]!;
    return t;
  });
}
