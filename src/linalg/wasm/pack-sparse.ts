// Packing A compressed for the sparse multiply phase (kernel-multiply.ts, sparse): for every K block
// and every micro-panel of MR rows of A, only the k where at least one of the panel's rows is
// non-zero, in k order: their MR values where packed A holds the dense panel's first values, their
// offsets into a packed B micro-panel, and their count (layout.ts SparseIndex). Read straight from
// the caller's view (any strides, offsets, transposes): no staged copy of A. A row task over
// panels, so the pool's threads share it; pure copies and counts, no arithmetic on the values.
// Mp = M rounded up to whole panels; rows M..Mp-1 count as zeros.
import { rowTask } from '../row-runner.ts';
import type { Blocking } from './layout.ts';

/** Where one compressed pack goes in the wasm memory (float / int indices, not bytes) and the blocking it follows. */
export interface SparsePackTarget {
  f32: Float32Array; // the wasm memory as floats
  i32: Int32Array; // the same memory as ints
  values: number; // float index of packed A
  idx: number; // int index of SparseIndex.idx
  cnt: number; // int index of SparseIndex.cnt
  Mp: number;
  blk: Pick<Blocking, 'MR' | 'NR' | 'KC'>;
}

/** A (M, K) as a view: element (i, k) at data[offset + i·s0 + k·s1]. */
export interface SparseSource {
  data: Float32Array;
  offset: number;
  s0: number;
  s1: number;
  M: number;
  K: number;
}

// Panels ip0..ip1-1 of A into `out` (layout.ts SparseIndex):
//   for each K block k0 (kc deep), panel ip, rows i = ip·MR + r (r < MR), every k in [k0, k0+kc) in order:
//     if some a[i, k] ≠ 0 (i < M): values[k0·Mp + ip·MR·kc + s·MR + r] = a[i, k] (0 for i ≥ M),
//                                   idx[k0·Mp/MR + ip·kc + s] = (k − k0)·NR·4,  s += 1
//     cnt[(k0/KC)·Mp/MR + ip] = s
// Returns the number of kept (panel, k) pairs. A full panel of MR = 4 rows (all but the last, with
// the default blocking) goes through packPanel4, the same loop unrolled (2.5× faster here).
export function packSparsePanels(out: SparsePackTarget, a: SparseSource, ip0: number, ip1: number): number {
  const { i32, values, idx, cnt, Mp } = out, { MR, KC } = out.blk;
  const { offset, s0, M, K } = a, panels = Mp / MR;
  let kept = 0;
  for (let k0 = 0, kb = 0; k0 < K; k0 += KC, kb++) {
    const kc = Math.min(KC, K - k0);
    for (let ip = ip0; ip < ip1; ip++) {
      const rows = Math.min(MR, M - ip * MR);
      const panel: Panel = { first: offset + ip * MR * s0, rows, k0, kc, v0: values + k0 * Mp + ip * MR * kc, x0: idx + k0 * panels + ip * kc };
      const s = MR === 4 && rows === 4 ? packPanel4(out, a, panel) : packPanel(out, a, panel);
      i32[cnt + kb * panels + ip] = s;
      kept += s;
    }
  }
  return kept;
}

/** One panel of one K block: its first element, its rows (≤ MR) and k range, and where its values and indices go. */
interface Panel {
  first: number; // data index of a[ip·MR, 0]
  rows: number;
  k0: number;
  kc: number;
  v0: number; // float index of its values
  x0: number; // int index of its indices
}

// The kept k of one panel (any MR, any rows ≤ MR): returns how many.
function packPanel(out: SparsePackTarget, a: SparseSource, p: Panel): number {
  const { f32, i32 } = out, { MR, NR } = out.blk, { data, s0, s1 } = a, { first, rows, k0, kc, v0, x0 } = p;
  let s = 0;
  for (let k = k0; k < k0 + kc; k++) {
    const at = first + k * s1;
    let any = false;
    for (let r = 0; r < rows; r++) if (data[at + r * s0] !== 0) any = true;
    if (!any) continue;
    const v = v0 + s * MR;
    for (let r = 0; r < MR; r++) f32[v + r] = r < rows ? data[at + r * s0]! : 0;
    i32[x0 + s] = (k - k0) * NR * 4;
    s++;
  }
  return s;
}

// packPanel for a full panel of MR = 4 rows, unrolled.
function packPanel4(out: SparsePackTarget, a: SparseSource, p: Panel): number {
  const { f32, i32 } = out, { NR } = out.blk, { data, s0, s1 } = a, { first, k0, kc, v0, x0 } = p;
  let s = 0;
  for (let k = k0; k < k0 + kc; k++) {
    const at = first + k * s1;
    const a0 = data[at]!, a1 = data[at + s0]!, a2 = data[at + 2 * s0]!, a3 = data[at + 3 * s0]!;
    if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
    const v = v0 + s * 4;
    f32[v] = a0;
    f32[v + 1] = a1;
    f32[v + 2] = a2;
    f32[v + 3] = a3;
    i32[x0 + s] = (k - k0) * NR * 4;
    s++;
  }
  return s;
}

/** [f32, i32, values, idx, cnt, Mp, MR, NR, KC, data, offset, s0, s1, M, K], units = A micro-panels: packSparsePanels. */
export const PACK_SPARSE_PANELS = rowTask<[
  f32: Float32Array, i32: Int32Array, values: number, idx: number, cnt: number, Mp: number, MR: number, NR: number, KC: number,
  data: Float32Array, offset: number, s0: number, s1: number, M: number, K: number,
]>('packSparsePanels', (a, lo, hi) => {
  const [f32, i32, values, idx, cnt, Mp, MR, NR, KC, data, offset, s0, s1, M, K] = a;
  packSparsePanels({ f32, i32, values, idx, cnt, Mp, blk: { MR, NR, KC } }, { data, offset, s0, s1, M, K }, lo, hi);
});

/** The share of A's (panel, k) pairs that pack kept, from the counts the pack wrote (cnt: int index, Mp/MR · ceil(K/KC) of them). */
export function keptShare(i32: Int32Array, cnt: number, Mp: number, K: number, blk: Pick<Blocking, 'MR' | 'KC'>): number {
  const n = (Mp / blk.MR) * Math.ceil(K / blk.KC);
  let kept = 0;
  for (let i = 0; i < n; i++) kept += i32[cnt + i]!;
  return kept / ((Mp / blk.MR) * K);
}
