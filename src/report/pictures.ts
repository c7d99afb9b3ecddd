// The report's raster pictures, as PNG data URLs: first-layer receptive fields (the strongest
// units' weight columns as image tiles, red for positive and blue for negative weights), the
// weights leaving the label units, and grids of input rows (images with their label overlay,
// hybrids and masks). Pixels go through the project's PNG writer (src/io/png.ts); nothing here
// computes a statistic of the model beyond choosing which units to show.
// D = fan-in of the layer, H = its width, P = rows·cols pixels of an image.
import { encodePngGray, encodePngRgb, imageGrid, zoomPixels } from '../io/png.ts';

/** A picture for the page: a PNG data URL and its size in CSS pixels. */
export interface Picture {
  src: string; // data:image/png;base64,...
  width: number;
  height: number;
}

const PAD_RGB = 200; // light gray between tiles

function dataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

/** Gray tiles in [0, 1] (each rows×cols) as one zoomed grid picture. */
export function grayGrid(tiles: Float32Array[], rows: number, cols: number, gridCols: number, zoom: number): Picture {
  const g = imageGrid(tiles, rows, cols, gridCols, 1);
  return {
    src: dataUrl(encodePngGray(g.width * zoom, g.height * zoom, zoomPixels(g.width, g.height, 1, g.pixels, zoom))),
    width: g.width * zoom, height: g.height * zoom,
  };
}

// rgb (3) = v / scale as a sign colour on white: +1 full red, −1 full blue, 0 white.
function signColour(rgb: Uint8Array, at: number, v: number, scale: number): void {
  const a = Math.max(-1, Math.min(1, scale > 0 ? v / scale : 0));
  const fade = Math.round(255 * (1 - Math.abs(a)));
  rgb[at] = a >= 0 ? 255 : fade;
  rgb[at + 1] = fade;
  rgb[at + 2] = a >= 0 ? fade : 255;
}

/**
 * Signed tiles (each tileRows×tileCols, any range) as one sign-coloured grid; each tile is scaled
 * by its own largest |value| (or by `scale` when given).
 */
export function signedGrid(tiles: Float32Array[], tileRows: number, tileCols: number, gridCols: number, zoom: number, scale?: number): Picture {
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
  return { src: dataUrl(encodePngRgb(W * zoom, Hh * zoom, zoomPixels(W, Hh, 3, px, zoom))), width: W * zoom, height: Hh * zoom };
}

/** The `k` columns of W (D, H) with the largest norm over rows [from, to), strongest first. */
export function strongestUnits(W: Float32Array, D: number, H: number, from: number, to: number, k: number): number[] {
  const norms = new Float64Array(H);
  for (let i = from; i < to; i++) for (let j = 0; j < H; j++) norms[j] = norms[j]! + W[i * H + j]! ** 2;
  void D;
  return Array.from({ length: H }, (_, j) => j).sort((a, b) => norms[b]! - norms[a]! || a - b).slice(0, k);
}

/**
 * Receptive fields: for each unit j of `units`, rows [from, from + P) of column j of W (D, H) as a
 * rows×cols tile; pixels listed in `blank` (the label pixels) are shown as 0.
 */
export function receptiveFields(W: Float32Array, H: number, units: number[], from: number, rows: number, cols: number, blank: number): Picture {
  const P = rows * cols;
  const tiles = units.map((j) => {
    const t = new Float32Array(P);
    for (let p = blank; p < P; p++) t[p] = W[(from + p) * H + j]!;
    return t;
  });
  return signedGrid(tiles, rows, cols, 8, 2);
}

/**
 * The weights leaving C label units, rows [from, from + C) of W (D, H), for the given units: a
 * C×units matrix (row c = label c), one colour scale for all.
 */
export function labelWeights(W: Float32Array, H: number, units: number[], from: number, C: number): Picture {
  const m = new Float32Array(C * units.length);
  let s = 0;
  for (let c = 0; c < C; c++) {
    units.forEach((j, k) => {
      const v = W[(from + c) * H + j]!;
      m[c * units.length + k] = v;
      s = Math.max(s, Math.abs(v));
    });
  }
  return signedGrid([m], C, units.length, 1, 8, s);
}
