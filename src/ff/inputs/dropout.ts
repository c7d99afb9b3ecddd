// Inverted dropout of the hidden layers' activities in a training pass (--dropout p), and its
// random draws. After a layer's forward on the pass's N rows: ỹ = y ⊙ m/(1 − p), with
// m_rj = [u_rj ≥ p] and u_rj uniform in [0, 1) from the 'dropout' stream, drawn row by row, unit by
// unit (N·H draws per layer per pass, positive and negative rows each their own mask; about
// 14 ns a unit here, 6 ms of a 784-1000-1000 step at batch 100 — drawing only the gaps between
// dropped units was faster at p = 0.1 but slower at p = 0.5, and not simpler); G is
// recomputed from ỹ, and the next layer reads ỹ. The backward's factor 1/(1 − p) is in
// layer.ts (layerBackwardDZ, [keep]). Evaluation and the neutral pass never drop.
// The draws need no activity, so a training step can draw a pass's masks ahead (drawMasksUpTo),
// beside the step's first products (SideWork: the calling thread draws while the workers start
// on a product), in the same order: the same numbers land in the same masks whenever they are drawn.
// N = rows, H = layer width.
import { goodnessRows, type Goodness } from '../layer/definitions.ts';
import type { SideWork } from '../../linalg/backend.ts';
import { INLINE_ROWS, rowTask, type RowRunner } from '../../linalg/row-runner.ts';
import { sharedUint8 } from '../../linalg/shared-floats.ts';
import type { Floats } from '../../linalg/rows.ts';
import type { LayerActs } from '../layer/layer.ts';
import type { Rng } from '../../rng.ts';

/** A run's dropout: the probability p, its stream, each layer's width and last mask (2B, H_l), 1 = kept. */
export interface Dropout {
  p: number;
  rng: Rng;
  widths: number[]; // H_l
  keep: Uint8Array[];
  ahead: number; // layers 0..ahead-1 have the coming training pass's mask drawn already (drawMasksUpTo); 0 after the pass
}

/** The dropout of a run with probability p over layers of widths H (null when p = 0), for passes of up to `rows` rows. */
export function makeDropout(p: number, rng: Rng | undefined, rows: number, widths: number[]): Dropout | null {
  if (p === 0) return null;
  if (!rng) throw new Error('makeDropout: --dropout needs the dropout stream');
  return { p, rng, widths: widths.slice(), keep: widths.map((H) => sharedUint8(rows * H)), ahead: 0 }; // shared: applyMask is a row job
}

// keep (N·H) ← m, m_i = [u_i ≥ p]: one uniform per element from d.rng, in row-major order.
export function drawMask(keep: Uint8Array, N: number, H: number, d: Pick<Dropout, 'p' | 'rng'>): void {
  const { p, rng } = d;
  for (let i = 0, n = N * H; i < n; i++) keep[i] = rng.uniform() >= p ? 1 : 0;
}

// y (N, H) ← y ⊙ keep/(1 − p) in place, elements i0..i1-1 (default all).
export function applyMask(y: Floats, keep: Uint8Array, N: number, H: number, p: number, i0 = 0, i1 = N * H): void {
  const scale = 1 / (1 - p);
  for (let i = i0; i < i1; i++) y[i] = keep[i] ? y[i]! * scale : 0;
}

/** [y, keep, p], units = elements: applyMask. */
export const APPLY_MASK = rowTask<[y: Float32Array, keep: Uint8Array, p: number]>('applyMask', ([y, keep, p], lo, hi) =>
  applyMask(y, keep, 0, 0, p, lo, hi));

// y (N, H) ← y ⊙ m/(1 − p) in place; keep (N·H) ← m: drawMask, then applyMask.
export function dropoutRows(y: Floats, keep: Uint8Array, N: number, H: number, d: Pick<Dropout, 'p' | 'rng'>): void {
  drawMask(keep, N, H, d);
  applyMask(y, keep, N, H, d.p);
}

// The masks of layers d.ahead..l of the coming training pass of N rows, into d.keep, if not drawn yet.
export function drawMasksUpTo(d: Dropout, l: number, N: number): void {
  for (; d.ahead <= l; d.ahead++) drawMask(d.keep[d.ahead]!, N, d.widths[d.ahead]!, d);
}

// A training pass's masks of layers 0..last (N rows), handed to `side` as last + 1 fns that each
// draw the next mask not drawn yet (none once layer `last`'s is), beside the step's coming products;
// trainLayers draws whatever is still missing when it needs it.
export function queueMasks(d: Dropout, last: number, N: number, side: SideWork): void {
  for (let l = 0; l <= last; l++) side.beside(() => void (d.ahead <= last && drawMasksUpTo(d, d.ahead, N)));
}

// The dropout of layer l on acts' first N rows with the mask d.keep[l] as drawn: ỹ in acts.y, its
// goodness in acts.G (on par's threads).
export function applyLayerMask(d: Dropout, l: number, acts: LayerActs<Float32Array>, N: number, goodness: Goodness, par?: RowRunner): void {
  const H = d.widths[l]!;
  (par ?? INLINE_ROWS).run(APPLY_MASK, [acts.y, d.keep[l]!, d.p], N * H, N * H);
  goodnessRows(acts.G, acts.y, N, H, goodness, par);
}

// The dropout of layer l on acts' first N rows, its mask drawn now: ỹ in acts.y, its goodness in acts.G, the mask in d.keep[l].
export function dropLayer(d: Dropout, l: number, acts: LayerActs<Float32Array>, N: number, goodness: Goodness, par?: RowRunner): void {
  drawMask(d.keep[l]!, N, d.widths[l]!, d);
  applyLayerMask(d, l, acts, N, goodness, par);
}
