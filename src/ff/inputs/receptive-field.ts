// Local receptive fields without weight sharing: which inputs each hidden unit of a layer sees.
// A spec (Config.receptiveField) lays the image out as a ROWS×COLS grid of pixels and each local
// layer as a grid of locations with `channels` units at each; a unit sees all channels of a
// PATCH×PATCH square of the grid below. The layer stays a dense (D, H) W with a fixed binary
// mask M (D, H): z = x̂·(W ⊙ M) + b, W kept 0 outside M, dW = (x̂ᵀ·dZ) ⊙ M (layer.ts, DEFINITIONS.md).
// The mask is a function of the config alone, so models store W and rebuild M on load.
import { UserError } from '../../errors.ts';
import { FLAG, parseReceptiveField, type FieldSpec } from '../../config/receptive-field-spec.ts';
import type { Floats } from '../../linalg/rows.ts';

/** A grid of locations with `channels` units each; unit (r, c, k) is index (r·cols + c)·channels + k. */
export interface Grid {
  rows: number;
  cols: number;
  channels: number;
}

/** A local layer resolved against the grid below it: where each location's patch starts. */
export interface ResolvedField {
  below: Grid;
  grid: Grid;
  patch: number;
  rowStarts: number[]; // (grid.rows) first row of the grid below seen by each row of locations
  colStarts: number[]; // (grid.cols) first column of the grid below seen by each column of locations
}

// First positions of `count` patches of side `patch` along an axis of `size` cells: k·stride, with
// stride given or (size − patch)/(count − 1) so that the first patch starts at 0 and the last ends
// at the far edge. Every patch must lie inside the axis.
function patchStarts(size: number, count: number, patch: number, stride: number | null, where: string): number[] {
  if (patch > size) throw new UserError(`${FLAG}: ${where}: a patch of ${patch} does not fit in the ${size} cells below`);
  let s = stride ?? 0;
  if (stride === null && count > 1) {
    s = (size - patch) / (count - 1);
    if (!Number.isInteger(s)) {
      throw new UserError(`${FLAG}: ${where}: ${count} patches of ${patch} cannot be spread evenly over ${size} cells ` +
        `(stride ${(size - patch)}/${count - 1}); give a stride: ROWSxCOLS/PATCH/STRIDE`);
    }
  }
  const last = (count - 1) * s + patch;
  if (last > size) {
    throw new UserError(`${FLAG}: ${where}: ${count} patches of ${patch} at stride ${s} need ${last} cells, the grid below has ${size}`);
  }
  return Array.from({ length: count }, (_, k) => k * s);
}

/**
 * Resolve a spec against the layer widths [D0, H1, ..., HL]: one ResolvedField per hidden layer
 * (null = fully connected). UserErrors name what does not fit (count, widths, patches).
 */
export function resolveFields(spec: FieldSpec, widths: number[]): (ResolvedField | null)[] {
  const L = widths.length - 1;
  if (spec.layers.length !== L) {
    const entries = `${spec.layers.length} layer entr${spec.layers.length === 1 ? 'y' : 'ies'}`;
    throw new UserError(`${FLAG}: ${entries} after the image grid, but --layers has ${L} hidden layer(s)`);
  }
  const { rows, cols } = spec.image;
  if (rows * cols !== widths[0]) {
    throw new UserError(`${FLAG}: the image grid ${rows}x${cols} has ${rows * cols} pixels, but the input width (--layers) is ${widths[0]}`);
  }
  let below: Grid | null = { rows, cols, channels: 1 };
  return spec.layers.map((f, l) => {
    const H = widths[l + 1]!;
    if (f === null) {
      below = null;
      return null;
    }
    const where = `layer ${l + 1} (${f.rows}x${f.cols}/${f.patch}${f.stride === null ? '' : `/${f.stride}`})`;
    if (below === null) throw new UserError(`${FLAG}: ${where} needs a grid below it, but layer ${l} is full`);
    const cells = f.rows * f.cols;
    if (H % cells !== 0) {
      throw new UserError(`${FLAG}: ${where}: its width ${H} (--layers) is not a whole number of units at each of its ${cells} locations`);
    }
    const resolved: ResolvedField = {
      below, grid: { rows: f.rows, cols: f.cols, channels: H / cells }, patch: f.patch,
      rowStarts: patchStarts(below.rows, f.rows, f.patch, f.stride, where),
      colStarts: patchStarts(below.cols, f.cols, f.patch, f.stride, where),
    };
    below = resolved.grid;
    return resolved;
  });
}

// mask (D, H) row-major like W: mask[i·H + j] = 1 where input i reaches unit j. Unit j at location
// (r, c) sees every channel of grid-below cells (r', c') with rowStarts[r] ≤ r' < rowStarts[r] + patch
// and colStarts[c] ≤ c' < colStarts[c] + patch; inputs 0..always-1 reach every unit (the supervised
// first layer's label pixels). D = below's cells × channels, H = grid's cells × channels.
export function fieldMask(mask: Uint8Array, f: ResolvedField, always = 0): void {
  const { below, grid, patch } = f;
  const D = below.rows * below.cols * below.channels, H = grid.rows * grid.cols * grid.channels;
  mask.fill(0, 0, D * H);
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      const j0 = (r * grid.cols + c) * grid.channels;
      for (let br = f.rowStarts[r]!; br < f.rowStarts[r]! + patch; br++) {
        for (let bc = f.colStarts[c]!; bc < f.colStarts[c]! + patch; bc++) {
          const i0 = (br * below.cols + bc) * below.channels;
          for (let bk = 0; bk < below.channels; bk++) mask.fill(1, (i0 + bk) * H + j0, (i0 + bk) * H + j0 + grid.channels);
        }
      }
    }
  }
  for (let i = 0; i < always; i++) mask.fill(1, i * H, (i + 1) * H);
}

/**
 * The mask of each hidden layer for a spec string (null where a layer is fully connected, or for
 * every layer when spec is null). labelPixels > 0 (supervised FF): those first inputs of layer 1,
 * where the label is written, reach every unit of it.
 */
export function layerMasks(spec: string | null, widths: number[], labelPixels: number): (Uint8Array | null)[] {
  if (spec === null) return widths.slice(1).map(() => null);
  return resolveFields(parseReceptiveField(spec), widths).map((f, l) => {
    if (f === null) return null;
    const mask = new Uint8Array(widths[l]! * widths[l + 1]!);
    fieldMask(mask, f, l === 0 ? labelPixels : 0);
    return mask;
  });
}

// g (D·H) ⊙= mask (D·H): zero every gradient entry outside the mask ([dW ⊙ M] in layer.ts).
export function maskGradient(g: Floats, mask: Uint8Array): void {
  for (let i = 0, n = mask.length; i < n; i++) if (mask[i] === 0) g[i] = 0;
}

/** Inputs that reach unit j of a (D, H) mask: its fan-in. */
export function maskFanIn(mask: Uint8Array, D: number, H: number, j: number): number {
  let n = 0;
  for (let i = 0; i < D; i++) n += mask[i * H + j]!;
  return n;
}
