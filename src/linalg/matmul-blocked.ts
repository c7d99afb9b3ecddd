// The readable fast TypeScript matmul: c = a·b, cache-blocked over K and N, register-tiled 4×4.
// Operands are packed into contiguous panels first (so any strides, offsets and transposes cost
// one copy), then a 4×4 tile of C is accumulated in 16 local numbers over a K block. The panels
// hold float64 (each float32 converted once, exactly, while packing) so that the inner loop loads
// numbers as they are instead of converting 8 float32 values per 16 multiply-adds: the same bits,
// about 10% faster.
// Sums run in k order within a block in float64 (JS numbers) and are rounded to float32 when C is
// stored after each K block: deterministic, but not bit-equal to matmulNaive off dyadic inputs.
// Single-threaded. The caller owns the packing scratch (see BlockedScratch); nothing else allocates.
import { checkMatmulShapes, type Mat } from './view.ts';

/** Rows of the K block: the depth of one packed panel (KC·4 floats of A per micro-panel). */
export const KC = 256;
/** Columns of the N block: the width of the packed B block kept hot in cache (KC·NC floats). */
export const NC = 512;
/** The register tile: MR rows by NR columns of C in 16 locals. Fixed by the code below. */
export const MR = 4;
export const NR = 4;

/** Packing buffers, grown on demand and reused across calls. */
export interface BlockedScratch {
  ap: Float64Array; // packed A: ceil(M/MR) micro-panels, each KC×MR, k-major
  bp: Float64Array; // packed B: ceil(NC/NR) micro-panels, each KC×NR, k-major
}

export function makeBlockedScratch(): BlockedScratch {
  return { ap: new Float64Array(0), bp: new Float64Array(0) };
}

// c is (M, N), a is (M, K), b is (K, N); any strides and offsets. c is overwritten.
export function matmulBlocked(c: Mat, a: Mat, b: Mat, scratch: BlockedScratch): void {
  checkMatmulShapes('matmulBlocked', c, a, b);
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const Mp = Math.ceil(M / MR) * MR;
  if (scratch.ap.length < Mp * KC) scratch.ap = new Float64Array(Mp * KC);
  if (scratch.bp.length < KC * NC) scratch.bp = new Float64Array(KC * NC);
  const ap = scratch.ap, bp = scratch.bp;
  const mr = MR, nr = NR; // locals: the loops below read them often (see tile4x4's loop)
  const ad = a.data, as0 = a.stride[0]!, as1 = a.stride[1]!, ao = a.offset;
  const bd = b.data, bs0 = b.stride[0]!, bs1 = b.stride[1]!, bo = b.offset;
  const cd = c.data, cs0 = c.stride[0]!, cs1 = c.stride[1]!, co = c.offset;

  if (K === 0) {
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) cd[co + i * cs0 + j * cs1] = 0;
    return;
  }
  for (let kb = 0; kb < K; kb += KC) {
    const kc = Math.min(KC, K - kb);
    // Pack A[:, kb:kb+kc] as micro-panels: ap[(i/MR)*kc*MR + k*MR + r] = a[i+r, kb+k], zero-padded rows.
    for (let i = 0; i < Mp; i += mr) {
      const base = (i / mr) * kc * mr;
      for (let r = 0; r < mr; r++) {
        const row = i + r;
        if (row < M) {
          const src = ao + row * as0 + kb * as1;
          for (let k = 0; k < kc; k++) ap[base + k * mr + r] = ad[src + k * as1]!;
        } else {
          for (let k = 0; k < kc; k++) ap[base + k * mr + r] = 0;
        }
      }
    }
    for (let jb = 0; jb < N; jb += NC) {
      const nc = Math.min(NC, N - jb);
      // Pack B[kb:kb+kc, jb:jb+nc]: bp[(j/NR)*kc*NR + k*NR + t] = b[kb+k, jb+j+t], zero-padded columns.
      for (let j = 0; j < nc; j += nr) {
        const base = (j / nr) * kc * nr;
        for (let t = 0; t < nr; t++) {
          const col = jb + j + t;
          if (col < N) {
            const src = bo + kb * bs0 + col * bs1;
            for (let k = 0; k < kc; k++) bp[base + k * nr + t] = bd[src + k * bs0]!;
          } else {
            for (let k = 0; k < kc; k++) bp[base + k * nr + t] = 0;
          }
        }
      }
      for (let i = 0; i < M; i += mr) {
        const aBase = (i / mr) * kc * mr;
        for (let j = 0; j < nc; j += nr) {
          const bBase = (j / nr) * kc * nr;
          tile4x4(cd, co, cs0, cs1, ap, aBase, bp, bBase, kc, i, jb + j, Math.min(mr, M - i), Math.min(nr, N - jb - j), kb > 0);
        }
      }
    }
  }
}

// One 4×4 tile: C[i0:i0+rows, j0:j0+cols] (+)= Apanel (kc×4, k-major) · Bpanel (kc×4, k-major).
// `accumulate` adds to what C holds (later K blocks); otherwise C is overwritten.
function tile4x4(
  cd: Float32Array, co: number, cs0: number, cs1: number,
  ap: Float64Array, aBase: number, bp: Float64Array, bBase: number, kc: number,
  i0: number, j0: number, rows: number, cols: number, accumulate: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let pa = aBase, pb = bBase;
  // Steps of 4 = MR = NR written as literals: in an ES module a module-level const read inside a
  // hot loop costs a check on every iteration (measured: 4.1 against 5.0 GFLOP/s).
  for (let k = 0; k < kc; k++, pa += 4, pb += 4) {
    const a0 = ap[pa]!, a1 = ap[pa + 1]!, a2 = ap[pa + 2]!, a3 = ap[pa + 3]!;
    const b0 = bp[pb]!, b1 = bp[pb + 1]!, b2 = bp[pb + 2]!, b3 = bp[pb + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (rows === 4 && cols === 4) {
    // Full tile: store the 16 sums straight from their locals.
    const r0 = co + i0 * cs0 + j0 * cs1, r1 = r0 + cs0, r2 = r1 + cs0, r3 = r2 + cs0;
    if (accumulate) {
      cd[r0]! += c00; cd[r0 + cs1]! += c01; cd[r0 + 2 * cs1]! += c02; cd[r0 + 3 * cs1]! += c03;
      cd[r1]! += c10; cd[r1 + cs1]! += c11; cd[r1 + 2 * cs1]! += c12; cd[r1 + 3 * cs1]! += c13;
      cd[r2]! += c20; cd[r2 + cs1]! += c21; cd[r2 + 2 * cs1]! += c22; cd[r2 + 3 * cs1]! += c23;
      cd[r3]! += c30; cd[r3 + cs1]! += c31; cd[r3 + 2 * cs1]! += c32; cd[r3 + 3 * cs1]! += c33;
    } else {
      cd[r0] = c00; cd[r0 + cs1] = c01; cd[r0 + 2 * cs1] = c02; cd[r0 + 3 * cs1] = c03;
      cd[r1] = c10; cd[r1 + cs1] = c11; cd[r1 + 2 * cs1] = c12; cd[r1 + 3 * cs1] = c13;
      cd[r2] = c20; cd[r2 + cs1] = c21; cd[r2 + 2 * cs1] = c22; cd[r2 + 3 * cs1] = c23;
      cd[r3] = c30; cd[r3 + cs1] = c31; cd[r3 + 2 * cs1] = c32; cd[r3 + 3 * cs1] = c33;
    }
    return;
  }
  // Edge tile (fewer rows or columns): the rare path, clarity over speed.
  const acc = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < cols; t++) {
      const at = co + (i0 + r) * cs0 + (j0 + t) * cs1;
      cd[at] = accumulate ? cd[at]! + acc[r * 4 + t]! : acc[r * 4 + t]!;
    }
  }
}
