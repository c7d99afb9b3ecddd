// The report's raster pictures, as PNG data URLs: first-layer receptive fields (the strongest
// units' weight columns as image tiles, red for positive and blue for negative weights), the
// weights leaving the label units, and grids of input rows (images with their label overlay,
// hybrids and masks). Pixels go through the project's PNG writer (src/io/png.ts); nothing here
// computes a statistic of the model beyond choosing which units to show.
// D = fan-in of the layer, H = its width, P = rows·cols pixels of an image.
import { encodePngGray, encodePngRgb, imageGrid, zoomPixels } from '../../src/io/png.ts';
import { receptiveFieldTiles, signedTilesRgb } from './signed-tiles.ts';

/** A picture for the page: a PNG data URL and its size in CSS pixels. */
export interface Picture {
  src: string; // data:image/png;base64,...
  width: number;
  height: number;
}

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

/**
 * Signed tiles (each tileRows×tileCols, any range) as one sign-coloured grid; each tile is scaled
 * by its own largest |value| (or by `scale` when given).
 */
export function signedGrid(tiles: Float32Array[], tileRows: number, tileCols: number, gridCols: number, zoom: number, scale?: number): Picture {
  const { width: W, height: Hh, rgb: px } = signedTilesRgb(tiles, tileRows, tileCols, gridCols, scale);
  return { src: dataUrl(encodePngRgb(W * zoom, Hh * zoom, zoomPixels(W, Hh, 3, px, zoom))), width: W * zoom, height: Hh * zoom };
}

export { strongestUnits } from './signed-tiles.ts';

/**
 * Receptive fields: for each unit j of `units`, rows [from, from + P) of column j of W (D, H) as a
 * rows×cols tile; its first `blank` pixels (the label pixels) are shown as 0.
 */
export function receptiveFields(W: Float32Array, H: number, units: number[], from: number, rows: number, cols: number, blank: number): Picture {
  return signedGrid(receptiveFieldTiles(W, H, units, from, rows, cols, blank), rows, cols, 8, 2);
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
