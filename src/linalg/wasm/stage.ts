// Copies between the caller's matrix views and the shared wasm memory, on the main thread (only
// it can read the caller's arrays): A and B into compact "staged" copies (rows or columns one
// after another, whichever the view's strides make contiguous), C back out. Padding rows/columns
// up to whole register tiles are written as zeros. Pure copies, so they cannot change a bit of
// the result; the packing into micro-panels is done by the threads, in wasm (kernel.ts).
// Any strides and offsets (transposes are stride swaps). Nothing here allocates a buffer.
import type { Mat } from '../view.ts';

/** Where a staged operand's element (k, p) lives: at + k·sK + p·sP, all in bytes. */
export interface Staged {
  sK: number;
  sP: number;
}

/**
 * mem[at + o*ldInner + i] = data[offset + o*sOuter + i*sInner] for o < outer, i < inner, and 0 in
 * the padding (i in [inner, ldInner), o in [outer, outerPadded)). `at` is a float index.
 */
function copyCompact(
  mem: Float32Array, at: number,
  data: Float32Array, offset: number, sOuter: number, sInner: number,
  outer: number, inner: number, outerPadded: number, ldInner: number,
): void {
  if (sInner === 1 && sOuter === inner && ldInner === inner) {
    mem.set(data.subarray(offset, offset + outer * inner), at); // one memcpy
  } else {
    for (let o = 0; o < outer; o++) {
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
  if (outerPadded > outer) mem.fill(0, at + outer * ldInner, at + outerPadded * ldInner);
}

/**
 * Stage a (M, K) at float index `at`, Mp·K floats: row-major (ld K, rows M..Mp zero) unless the
 * view is column-contiguous (a transposed view), then column-major (ld Mp, each column zero-padded).
 */
export function stageA(mem: Float32Array, at: number, a: Mat, Mp: number): Staged {
  const [M, K] = a.shape as [number, number];
  const [as0, as1] = a.stride as [number, number];
  if (as0 === 1 && as1 !== 1) {
    copyCompact(mem, at, a.data, a.offset, as1, as0, K, M, K, Mp);
    return { sK: 4 * Mp, sP: 4 };
  }
  copyCompact(mem, at, a.data, a.offset, as0, as1, M, K, Mp, K);
  return { sK: 4, sP: 4 * K };
}

/**
 * Stage b (K, N) at float index `at`, K·Np floats: row-major (ld Np, each row zero-padded) unless
 * the view is column-contiguous (a transposed view), then column-major (ld K, columns N..Np zero).
 */
export function stageB(mem: Float32Array, at: number, b: Mat, Np: number): Staged {
  const [K, N] = b.shape as [number, number];
  const [bs0, bs1] = b.stride as [number, number];
  if (bs0 === 1 && bs1 !== 1) {
    copyCompact(mem, at, b.data, b.offset, bs1, bs0, N, K, Np, K);
    return { sK: 4, sP: 4 * K };
  }
  copyCompact(mem, at, b.data, b.offset, bs0, bs1, K, N, K, Np);
  return { sK: 4 * Np, sP: 4 };
}

/** c (M, N) = the top-left (M, N) corner of the row-major (Mp, Np) matrix at float index `at`. */
export function unstageC(c: Mat, mem: Float32Array, at: number, Np: number): void {
  const [M, N] = c.shape as [number, number];
  const cd = c.data, cs0 = c.stride[0]!, cs1 = c.stride[1]!, co = c.offset;
  if (cs1 === 1 && cs0 === N && N === Np) {
    cd.set(mem.subarray(at, at + M * N), co); // one memcpy
    return;
  }
  for (let i = 0; i < M; i++) {
    const src = at + i * Np;
    if (cs1 === 1 && N >= 16) {
      cd.set(mem.subarray(src, src + N), co + i * cs0); // a memcpy per row
    } else {
      for (let j = 0; j < N; j++) cd[co + i * cs0 + j * cs1] = mem[src + j]!;
    }
  }
}
