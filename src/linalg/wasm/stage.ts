// Copies between the caller's matrix views and the shared wasm memory: A and B into compact
// "staged" copies (rows or columns one after another, whichever the view's strides make
// contiguous), C back out. Padding rows/columns up to whole register tiles are written as zeros.
// Pure copies, so they cannot change a bit of the result; the packing into micro-panels is done
// by the threads, in wasm (kernel.ts). The copies are row jobs: when the caller's arrays are in
// shared memory the pool's threads share them, else the calling thread does them all.
// Any strides and offsets (transposes are stride swaps). Nothing here allocates a buffer.
import { INLINE_ROWS, rowTask, type RowRunner } from '../row-runner.ts';
import type { Mat } from '../view.ts';

/** Where a staged operand's element (k, p) lives: at + k·sK + p·sP, all in bytes. */
export interface Staged {
  sK: number;
  sP: number;
}

/**
 * mem[at + o*ldInner + i] = data[offset + o*sOuter + i*sInner] for o < outer, i < inner, and 0 in
 * the padding (i in [inner, ldInner), o in [outer, outerPadded)); only the rows o in [o0, o1) of
 * [0, outerPadded). `at` is a float index.
 */
function copyCompact(
  mem: Float32Array, at: number,
  data: Float32Array, offset: number, sOuter: number, sInner: number,
  outer: number, inner: number, ldInner: number, o0: number, o1: number,
): void {
  const end = Math.min(o1, outer);
  if (sInner === 1 && sOuter === inner && ldInner === inner) {
    if (end > o0) mem.set(data.subarray(offset + o0 * inner, offset + end * inner), at + o0 * inner); // one memcpy
  } else {
    for (let o = o0; o < end; o++) {
      const s = offset + o * sOuter;
      const d = at + o * ldInner;
      if (sInner === 1 && inner >= 16) {
        mem.set(data.subarray(s, s + inner), d); // a memcpy per row
      } else {
        for (let i = 0; i < inner; i++) mem[d + i] = data[s + i * sInner]!;
      }
      if (ldInner > inner) mem.fill(0, d + inner, d + ldInner);
    }
  }
  if (o1 > outer) mem.fill(0, at + Math.max(o0, outer) * ldInner, at + o1 * ldInner);
}

/** [mem, at, data, offset, sOuter, sInner, outer, inner, ldInner], units = rows o of [0, outerPadded): copyCompact. */
export const COPY_COMPACT = rowTask<[
  mem: Float32Array, at: number, data: Float32Array, offset: number, sOuter: number, sInner: number, outer: number, inner: number, ldInner: number,
]>('copyCompact', (a, lo, hi) => copyCompact(...a, lo, hi));

/** copyCompact of every row on par's threads (a copy is cheap: work counts a quarter per float). */
function copyCompactOn(
  par: RowRunner, mem: Float32Array, at: number, data: Float32Array, offset: number, sOuter: number, sInner: number,
  outer: number, inner: number, outerPadded: number, ldInner: number,
): void {
  par.run(COPY_COMPACT, [mem, at, data, offset, sOuter, sInner, outer, inner, ldInner], outerPadded, (outerPadded * ldInner) / 4);
}

/**
 * Stage a (M, K) at float index `at`, Mp·K floats: row-major (ld K, rows M..Mp zero) unless the
 * view is column-contiguous (a transposed view), then column-major (ld Mp, each column zero-padded).
 */
export function stageA(mem: Float32Array, at: number, a: Mat, Mp: number, par: RowRunner = INLINE_ROWS): Staged {
  const [M, K] = a.shape as [number, number];
  const [as0, as1] = a.stride as [number, number];
  if (as0 === 1 && as1 !== 1) {
    copyCompactOn(par, mem, at, a.data, a.offset, as1, as0, K, M, K, Mp);
    return { sK: 4 * Mp, sP: 4 };
  }
  copyCompactOn(par, mem, at, a.data, a.offset, as0, as1, M, K, Mp, K);
  return { sK: 4, sP: 4 * K };
}

/**
 * Stage b (K, N) at float index `at`, K·Np floats: row-major (ld Np, each row zero-padded) unless
 * the view is column-contiguous (a transposed view), then column-major (ld K, columns N..Np zero).
 */
export function stageB(mem: Float32Array, at: number, b: Mat, Np: number, par: RowRunner = INLINE_ROWS): Staged {
  const [K, N] = b.shape as [number, number];
  const [bs0, bs1] = b.stride as [number, number];
  if (bs0 === 1 && bs1 !== 1) {
    copyCompactOn(par, mem, at, b.data, b.offset, bs1, bs0, N, K, Np, K);
    return { sK: 4, sP: 4 * K };
  }
  copyCompactOn(par, mem, at, b.data, b.offset, bs0, bs1, K, N, K, Np);
  return { sK: 4 * Np, sP: 4 };
}

/** c (M, N) = the top-left (M, N) corner of the row-major (Mp, Np) matrix at float index `at`. */
export function unstageC(c: Mat, mem: Float32Array, at: number, Np: number, par: RowRunner = INLINE_ROWS): void {
  const [M, N] = c.shape as [number, number];
  par.run(UNSTAGE_ROWS, [c.data, c.offset, c.stride[0]!, c.stride[1]!, N, mem, at, Np], M, (M * N) / 4);
}

// Rows i0..i1-1 of c (data cd at offset co, strides cs0, cs1; N columns) from the row-major rows
// at float index `at` of mem, Np floats apart.
function unstageRows(
  cd: Float32Array, co: number, cs0: number, cs1: number, N: number, mem: Float32Array, at: number, Np: number, i0: number, i1: number,
): void {
  if (cs1 === 1 && cs0 === N && N === Np) {
    cd.set(mem.subarray(at + i0 * N, at + i1 * N), co + i0 * N); // one memcpy
    return;
  }
  for (let i = i0; i < i1; i++) {
    const src = at + i * Np;
    if (cs1 === 1 && N >= 16) {
      cd.set(mem.subarray(src, src + N), co + i * cs0); // a memcpy per row
    } else {
      for (let j = 0; j < N; j++) cd[co + i * cs0 + j * cs1] = mem[src + j]!;
    }
  }
}

/** [cd, co, cs0, cs1, N, mem, at, Np], units = rows of C: unstageRows. */
export const UNSTAGE_ROWS = rowTask<[
  cd: Float32Array, co: number, cs0: number, cs1: number, N: number, mem: Float32Array, at: number, Np: number,
]>('unstageRows', (a, lo, hi) => unstageRows(...a, lo, hi));
