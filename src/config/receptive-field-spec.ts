// The --receptive-field option's text, parsed: the image grid and one entry per hidden layer, a
// local layer (a grid of locations, each seeing a patch of the grid below) or a dense one. What
// the spec means for the weights (the masks, the fan-ins) is src/ff/inputs/receptive-field.ts.
import { UserError } from '../errors.ts';

/** One local layer of a spec: a rows×cols grid of locations, each seeing a patch×patch square below. */
export interface LocalField {
  rows: number;
  cols: number;
  patch: number; // side of the square of the grid below, in locations (pixels for the first layer)
  stride: number | null; // step between neighbouring patches; null = spread evenly from edge to edge
}

/** A parsed spec: the image grid, then one entry per hidden layer (null = fully connected). */
export interface FieldSpec {
  image: { rows: number; cols: number };
  layers: (LocalField | null)[];
}

export const FLAG = '--receptive-field';
export const SYNTAX = 'expected IMAGE,LAYER,... with IMAGE = ROWSxCOLS and each LAYER = ROWSxCOLS/PATCH[/STRIDE] or full, ' +
  'e.g. 28x28,4x4/10/6,3x3/2,2x2/2';

/** Parse a spec string; any malformed part is a one-line UserError naming the flag. */
export function parseReceptiveField(spec: string): FieldSpec {
  const parts = spec.split(',').map((p) => p.trim());
  const bad = (why: string): UserError => new UserError(`${FLAG}: ${why} in '${spec}'; ${SYNTAX}`);
  const image = /^(\d+)x(\d+)$/.exec(parts[0] ?? '');
  if (!image) throw bad(`the first entry '${parts[0]}' is not an image grid ROWSxCOLS`);
  if (parts.length < 2) throw bad('no hidden layer given');
  const layers = parts.slice(1).map((p, i): LocalField | null => {
    if (p === 'full') return null;
    const m = /^(\d+)x(\d+)\/(\d+)(?:\/(\d+))?$/.exec(p);
    if (!m) throw bad(`layer ${i + 1}'s entry '${p}' is neither ROWSxCOLS/PATCH[/STRIDE] nor full`);
    const [rows, cols, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const stride = m[4] === undefined ? null : Number(m[4]);
    if (rows < 1 || cols < 1 || patch < 1 || stride === 0) throw bad(`layer ${i + 1}'s grid, patch and stride must be at least 1`);
    return { rows, cols, patch, stride };
  });
  const [rows, cols] = [Number(image[1]), Number(image[2])];
  if (rows < 1 || cols < 1) throw bad('the image grid must be at least 1x1');
  return { image: { rows, cols }, layers };
}
