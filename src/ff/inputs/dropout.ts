// Inverted dropout of the hidden layers' activities in a training pass (--dropout p), and its
// random draws. After a layer's forward on the pass's N rows: ỹ = y ⊙ m/(1 − p), with
// m_rj = [u_rj ≥ p] and u_rj uniform in [0, 1) from the 'dropout' stream, drawn row by row, unit by
// unit (N·H draws per layer per pass, positive and negative rows each their own mask; about
// 14 ns a unit here, 6 ms of a 784-1000-1000 step at batch 100 — drawing only the gaps between
// dropped units was faster at p = 0.1 but slower at p = 0.5, and not simpler); G is
// recomputed from ỹ, and the next layer reads ỹ. The backward's factor 1/(1 − p) is in
// layer.ts (layerBackwardDZ, [keep]). Evaluation and the neutral pass never drop.
// N = rows, H = layer width.
import { goodnessRows, type Goodness } from '../layer/definitions.ts';
import type { Floats } from '../../linalg/rows.ts';
import type { LayerActs } from '../layer/layer.ts';
import type { Rng } from '../../rng.ts';

/** A run's dropout: the probability p, its stream, each layer's width and last mask (2B, H_l), 1 = kept. */
export interface Dropout {
  p: number;
  rng: Rng;
  widths: number[]; // H_l
  keep: Uint8Array[];
}

/** The dropout of a run with probability p over layers of widths H (null when p = 0), for passes of up to `rows` rows. */
export function makeDropout(p: number, rng: Rng | undefined, rows: number, widths: number[]): Dropout | null {
  if (p === 0) return null;
  if (!rng) throw new Error('makeDropout: --dropout needs the dropout stream');
  return { p, rng, widths: widths.slice(), keep: widths.map((H) => new Uint8Array(rows * H)) };
}

// y (N, H) ← y ⊙ m/(1 − p) in place; keep (N·H) ← m. One uniform per element from d.rng, in row-major order.
export function dropoutRows(y: Floats, keep: Uint8Array, N: number, H: number, d: Pick<Dropout, 'p' | 'rng'>): void {
  const { p, rng } = d;
  const scale = 1 / (1 - p);
  for (let i = 0, n = N * H; i < n; i++) {
    const kept = rng.uniform() >= p;
    keep[i] = kept ? 1 : 0;
    y[i] = kept ? y[i]! * scale : 0;
  }
}

// The dropout of layer l on acts' first N rows: ỹ in acts.y, its goodness in acts.G, the mask in d.keep[l].
export function dropLayer(d: Dropout, l: number, acts: LayerActs<Float32Array>, N: number, goodness: Goodness): void {
  const H = d.widths[l]!;
  dropoutRows(acts.y, d.keep[l]!, N, H, d);
  goodnessRows(acts.G, acts.y, N, H, goodness);
}
