// Tests for src/linalg's matrix products: the naive and the blocked kernel.
// Tier A, exact (deepStrictEqual, Float32Array vs Float32Array): hand products, identities and
// basis matrices; blocked vs naive on random dyadic inputs (multiples of 1/4 in [−1, 1], so every
// partial sum is exact in float32 and any order of summation gives the same bits) at odd sizes
// crossing the KC = 256 / NC = 512 block edges and the 4×4 tile edges; every combination of
// dense, transposed, offset, column-stepped and reversed views for a, b and c, with c's storage
// outside the view checked untouched. Float32 tolerance: blocked vs naive on normal values, with
// the forward-error bound derived at `blockedTolerance`. Then inconsistent shapes and the reuse of
// one scratch. Sizes are written M×K×N: a (M, K), b (K, N).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ndarray from 'ndarray';
import { matmulNaive } from '../src/linalg/matmul-naive.ts';
import { KC, MR, NC, NR, makeBlockedScratch, matmulBlocked } from '../src/linalg/matmul-blocked.ts';
import { matView, transposed, zeros, type Mat } from '../src/linalg/view.ts';
import { makeRng, type Rng } from '../src/rng.ts';
import { assertClose, U32 } from './helpers.ts';
import { dense, fromRows } from './mat-helpers.ts';

type Kernel = (c: Mat, a: Mat, b: Mat) => void;

/** Both kernels; the blocked one gets a fresh scratch per call of this function. */
function kernels(): Array<[string, Kernel]> {
  const scratch = makeBlockedScratch();
  return [
    ['matmulNaive', (c, a, b) => matmulNaive(c, a, b)],
    ['matmulBlocked', (c, a, b) => matmulBlocked(c, a, b, scratch)],
  ];
}

/** A dense (R, C) matrix of random multiples of 1/4 in [−1, 1]. */
function dyadicMat(rng: Rng, R: number, C: number): Mat {
  return matView(new Float32Array(R * C).map(() => (rng.int(9) - 4) * 0.25), R, C);
}

/** A dense (R, C) matrix of standard normal values (rounded to float32). */
function normalMat(rng: Rng, R: number, C: number): Mat {
  return matView(new Float32Array(R * C).map(() => rng.normal()), R, C);
}

/** The reference product on dense copies: the naive kernel on plain row-major storage. */
function reference(a: Mat, b: Mat): Float32Array {
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const c = zeros(M, N);
  matmulNaive(c, matView(dense(a), M, K), matView(dense(b), K, N));
  return c.data;
}

// Forward-error bound of blocked vs naive, per element of c, for float32 inputs.
// Products of two float32 values are exact in float64, and float64 sums of ≤ KC terms add an error
// ~KC·2^-53 relative to S = Σ_k |a_ik·b_kj|, negligible next to float32's unit roundoff U32 = 2^-24.
// The naive kernel rounds once to float32:            |naive − exact|   <= U32·S.
// The blocked kernel rounds each of nb = ceil(K/KC) block sums when it stores or adds it into c:
//                                                     |blocked − exact| <= nb·U32·S.
// So |blocked − naive| <= (nb + 1)·U32·S; we allow twice that (S itself is computed in float32).
function blockedTolerance(a: Mat, b: Mat): (i: number) => number {
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const S = zeros(M, N);
  matmulNaive(S, matView(dense(a).map(Math.abs), M, K), matView(dense(b).map(Math.abs), K, N));
  const nb = Math.max(1, Math.ceil(K / KC));
  return (i) => 2 * (nb + 1) * U32 * S.data[i]!;
}

// Odd sizes M×K×N crossing the 4×4 tile edges, the KC = 256 depth block (K = 257, 300, 513) and
// the NC = 512 width block (N = 513, 517, 1029).
const SIZES: Array<[number, number, number]> = [
  [1, 1, 1], [3, 5, 7], [4, 4, 4], [5, 257, 6], [17, 300, 9], [33, 513, 65],
  [9, 257, 513], [3, 7, 517], [5, 513, 1029],
];


describe('matmul, Tier A (exact)', () => {
  test('block constants are the documented ones (golden values depend on them)', () => {
    assert.deepStrictEqual([KC, NC, MR, NR], [256, 512, 4, 4]);
  });

  test('hand-computed 2×2 and 2×3·3×1 products', () => {
    for (const [name, mm] of kernels()) {
      // [[0, 0.25], [−0.5, 1]]·[[2, 1], [0.25, −0.5]] = [[0.0625, −0.125], [−0.75, −1]]
      const c = zeros(2, 2);
      mm(c, fromRows([[0, 0.25], [-0.5, 1]]), fromRows([[2, 1], [0.25, -0.5]]));
      assert.deepStrictEqual(c.data, Float32Array.from([0.0625, -0.125, -0.75, -1]), name);
      // [[1, 2, −0.5], [0.25, 0, 2]]·[[2], [−0.5], [1]] = [[2 − 1 − 0.5], [0.5 + 0 + 2]] = [[0.5], [2.5]]
      const d = zeros(2, 1);
      mm(d, fromRows([[1, 2, -0.5], [0.25, 0, 2]]), fromRows([[2], [-0.5], [1]]));
      assert.deepStrictEqual(d.data, Float32Array.from([0.5, 2.5]), name);
    }
  });

  test('a dot product is summed in float64 and rounded to float32 once', () => {
    // 1 + 2^-24 + 2^-24 = 1 + 2^-23 exactly (a float32). Summing in float32 instead would round
    // 1 + 2^-24 to 1 (ties to even) twice and return 1.
    for (const [name, mm] of kernels()) {
      const c = zeros(1, 1);
      mm(c, fromRows([[1, 2 ** -24, 2 ** -24]]), fromRows([[1], [1], [1]]));
      assert.deepStrictEqual(c.data, Float32Array.from([1 + 2 ** -23]), name);
    }
  });

  test('identity products return the other operand bit for bit', () => {
    const rng = makeRng(1, 'linalg-identity');
    for (const [M, K] of [[1, 1], [5, 3], [6, 17], [3, 259]] as const) {
      const a = dyadicMat(rng, M, K);
      const eyeK = zeros(K, K), eyeM = zeros(M, M);
      for (let i = 0; i < K; i++) eyeK.set(i, i, 1);
      for (let i = 0; i < M; i++) eyeM.set(i, i, 1);
      for (const [name, mm] of kernels()) {
        const right = zeros(M, K), left = zeros(M, K);
        mm(right, a, eyeK);
        mm(left, eyeM, a);
        assert.deepStrictEqual(right.data, a.data, `${name}: A·I, A is ${M}×${K}`);
        assert.deepStrictEqual(left.data, a.data, `${name}: I·A, A is ${M}×${K}`);
      }
    }
  });

  test('basis matrices: E_ij·E_lk = E_ik when j = l, else 0', () => {
    const M = 3, K = 5, N = 6;
    const basis = (R: number, C: number, r: number, c: number, v: number): Mat => {
      const m = zeros(R, C);
      m.set(r, c, v);
      return m;
    };
    for (const [name, mm] of kernels()) {
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < K; j++) {
          for (let l = 0; l < K; l += 2) {
            const k = (i + j + l) % N;
            const c = zeros(M, N);
            mm(c, basis(M, K, i, j, 2), basis(K, N, l, k, -0.25));
            const want = j === l ? basis(M, N, i, k, -0.5).data : new Float32Array(M * N);
            assert.deepStrictEqual(c.data, want, `${name}: E_${i}${j}·E_${l}${k}`);
          }
        }
      }
    }
  });

  test('blocked equals naive bit for bit on dyadic inputs at odd sizes', () => {
    const rng = makeRng(2, 'linalg-dyadic');
    for (const [M, K, N] of SIZES) {
      const a = dyadicMat(rng, M, K), b = dyadicMat(rng, K, N);
      const naive = zeros(M, N), blocked = zeros(M, N);
      matmulNaive(naive, a, b);
      matmulBlocked(blocked, a, b, makeBlockedScratch());
      assert.deepStrictEqual(blocked.data, naive.data, `${M}×${K}×${N}`);
    }
  });

  test('K = 0 gives zeros (c is overwritten, not left as it was)', () => {
    for (const [name, mm] of kernels()) {
      const c = matView(new Float32Array(12).fill(4096.5), 3, 4);
      mm(c, zeros(3, 0), zeros(0, 4));
      assert.deepStrictEqual(c.data, new Float32Array(12), name);
      // The same through a strided view of c: only the view's elements become 0.
      const buf = new Float32Array(5 * 9).fill(4096.5);
      const cv = ndarray(buf, [5, 9]).lo(1, 1).step(1, 2).hi(3, 4);
      mm(cv, zeros(3, 0), zeros(0, 4));
      const want = new Float32Array(5 * 9).fill(4096.5);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) want[(1 + i) * 9 + 1 + 2 * j] = 0;
      assert.deepStrictEqual(buf, want, `${name}, strided c`);
    }
  });

  test('empty M or N writes nothing and does not throw', () => {
    for (const [name, mm] of kernels()) {
      const c = zeros(0, 4);
      mm(c, zeros(0, 3), dyadicMat(makeRng(3, 'linalg-empty'), 3, 4));
      assert.equal(c.data.length, 0, name);
      const d = zeros(2, 0);
      mm(d, fromRows([[1, 2, 3], [4, 5, 6]]), zeros(3, 0));
      assert.equal(d.data.length, 0, name);
    }
  });
});

// ---- Views: offset, stride, transposes, negative strides --------------------------------------

type Layout = 'dense' | 'transposed' | 'sub' | 'stepped' | 'reversed' | 'transposedStepped';
const LAYOUTS: Layout[] = ['dense', 'transposed', 'sub', 'stepped', 'reversed', 'transposedStepped'];
/** What fills a buffer outside the view: large, so a stray read changes a sum; exact in float32. */
const SENTINEL = 4096.5;

/** A (rows, cols) view of the given layout over a fresh sentinel-filled buffer. */
function place(layout: Layout, rows: number, cols: number): Mat {
  switch (layout) {
    case 'dense':
      return matView(new Float32Array(rows * cols).fill(SENTINEL), rows, cols);
    case 'transposed': // column-major storage: stride [1, rows]
      return transposed(matView(new Float32Array(rows * cols).fill(SENTINEL), cols, rows));
    case 'sub': // inside a larger matrix: offset 2·(cols+5) + 3, stride [cols + 5, 1]
      return ndarray(new Float32Array((rows + 3) * (cols + 5)).fill(SENTINEL), [rows + 3, cols + 5]).lo(2, 3).hi(rows, cols);
    case 'stepped': // every second column: offset (2cols+3) + 2, stride [2cols + 3, 2]
      return ndarray(new Float32Array((rows + 2) * (2 * cols + 3)).fill(SENTINEL), [rows + 2, 2 * cols + 3]).lo(1, 2).step(1, 2).hi(rows, cols);
    case 'reversed': // rows and columns reversed: negative strides, offset at the far corner
      return ndarray(new Float32Array((rows + 2) * cols).fill(SENTINEL), [rows + 2, cols]).lo(1, 0).hi(rows, cols).step(-1, -1);
    case 'transposedStepped': // a transposed column-stepped sub-view: stride [2, 2rows + 3]
      return transposed(place('stepped', cols, rows));
  }
}

/** Storage indices covered by the view, row-major over the view. */
function indicesOf(m: Mat): number[] {
  const [R, C] = m.shape as [number, number];
  const out: number[] = [];
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) out.push(m.offset + i * m.stride[0]! + j * m.stride[1]!);
  return out;
}

/** Write a dense row-major source into the view's elements. */
function fill(m: Mat, src: Float32Array): Mat {
  indicesOf(m).forEach((at, i) => { m.data[at] = src[i]!; });
  return m;
}

/**
 * c = a·b with a, b, c in the given layouts; c must equal `want` (dense, row-major), c's storage
 * outside the view must keep its sentinel, and the storage of a and b must be unchanged.
 */
function checkLayouts(
  mm: Kernel, what: string, la: Layout, lb: Layout, lc: Layout, a0: Float32Array, b0: Float32Array, M: number, K: number, N: number,
  check: (got: Float32Array, what: string) => void,
): void {
  const a = fill(place(la, M, K), a0), b = fill(place(lb, K, N), b0), c = place(lc, M, N);
  const aBefore = a.data.slice(), bBefore = b.data.slice(), cBefore = c.data.slice();
  mm(c, a, b);
  const label = `${what}: a ${la}, b ${lb}, c ${lc}, ${M}×${K}×${N}`;
  assert.deepStrictEqual(a.data, aBefore, `${label}: a's storage changed`);
  assert.deepStrictEqual(b.data, bBefore, `${label}: b's storage changed`);
  const inView = new Set(indicesOf(c));
  const outside = (buf: Float32Array): Float32Array => buf.filter((_, i) => !inView.has(i));
  assert.deepStrictEqual(outside(c.data), outside(cBefore), `${label}: c's storage outside the view changed`);
  check(dense(c), label);
}

describe('matmul on views', () => {
  test('every layout of a, b and c, both kernels, exact on dyadic inputs (5×7×6)', () => {
    const M = 5, K = 7, N = 6;
    const rng = makeRng(4, 'linalg-views');
    const a0 = dyadicMat(rng, M, K), b0 = dyadicMat(rng, K, N);
    const want = reference(a0, b0);
    for (const [name, mm] of kernels()) {
      for (const la of LAYOUTS) for (const lb of LAYOUTS) for (const lc of LAYOUTS) {
        checkLayouts(mm, name, la, lb, lc, a0.data, b0.data, M, K, N, (got, label) => assert.deepStrictEqual(got, want, label));
      }
    }
  });

  test('views across the block edges, both kernels, exact on dyadic inputs (6×259×515)', () => {
    const M = 6, K = 259, N = 515;
    const rng = makeRng(5, 'linalg-views-big');
    const a0 = dyadicMat(rng, M, K), b0 = dyadicMat(rng, K, N);
    const want = reference(a0, b0);
    const combos: Array<[Layout, Layout, Layout]> = [
      ['transposed', 'transposed', 'transposed'], ['sub', 'stepped', 'reversed'],
      ['stepped', 'reversed', 'sub'], ['reversed', 'transposedStepped', 'stepped'],
      ['transposedStepped', 'sub', 'transposedStepped'],
    ];
    for (const [name, mm] of kernels()) {
      for (const [la, lb, lc] of combos) {
        checkLayouts(mm, name, la, lb, lc, a0.data, b0.data, M, K, N, (got, label) => assert.deepStrictEqual(got, want, label));
      }
    }
  });
});

describe('matmul, float32 tolerance', () => {
  test('blocked matches naive on normal values at odd sizes, within the forward-error bound', () => {
    const rng = makeRng(6, 'linalg-normal');
    for (const [M, K, N] of SIZES) {
      const a = normalMat(rng, M, K), b = normalMat(rng, K, N);
      const naive = zeros(M, N), blocked = zeros(M, N);
      matmulNaive(naive, a, b);
      matmulBlocked(blocked, a, b, makeBlockedScratch());
      assertClose(blocked.data, naive.data, blockedTolerance(a, b), `blocked vs naive ${M}×${K}×${N}`);
    }
  });

  test('transposed operands on both sides (aᵀ, bᵀ and cᵀ views), normal values', () => {
    const rng = makeRng(7, 'linalg-transposed');
    for (const [M, K, N] of [[3, 5, 7], [17, 300, 9], [7, 257, 514]] as const) {
      const a = transposed(normalMat(rng, K, M)), b = transposed(normalMat(rng, N, K));
      const want = reference(a, b);
      const naive = transposed(zeros(N, M)), blocked = transposed(zeros(N, M));
      matmulNaive(naive, a, b);
      matmulBlocked(blocked, a, b, makeBlockedScratch());
      // Same summation order and precision as on dense copies: the naive kernel is bit-equal.
      assert.deepStrictEqual(dense(naive), want, `naive, transposed ${M}×${K}×${N}`);
      assertClose(dense(blocked), want, blockedTolerance(a, b), `blocked, transposed ${M}×${K}×${N}`);
    }
  });

  test('the tolerance is not loose: 2 float32 ulps on a sum of four ones', () => {
    // K = 4 ones: S = 4, nb = 1, tolerance 2·2·U32·4 = 2^-20, i.e. 2 ulps of 4 (ulp(4) = 2^-21);
    // an error of 4 ulps must fail the comparison.
    const a = fromRows([[1, 1, 1, 1]]), b = fromRows([[1], [1], [1], [1]]);
    const tol = blockedTolerance(a, b)(0);
    assert.equal(tol, 2 ** -20);
    assert.throws(() => assertClose(Float32Array.from([4 + 2 ** -19]), Float32Array.from([4]), tol, 'probe'), /max \|diff\|/);
  });
});

describe('matmul, shapes and scratch', () => {
  test('inconsistent shapes throw with the shapes in the message', () => {
    const cases: Array<[Mat, Mat, Mat, string[]]> = [
      [zeros(2, 5), zeros(2, 3), zeros(4, 5), ['c(2, 5)', 'a(2, 3)', 'b(4, 5)']], // K mismatch
      [zeros(3, 5), zeros(2, 4), zeros(4, 5), ['c(3, 5)', 'a(2, 4)', 'b(4, 5)']], // c rows
      [zeros(2, 6), zeros(2, 4), zeros(4, 5), ['c(2, 6)', 'a(2, 4)', 'b(4, 5)']], // c cols
      [transposed(zeros(2, 2)), zeros(2, 4), zeros(4, 5), ['c(2, 2)', 'a(2, 4)', 'b(4, 5)']],
    ];
    for (const [name, mm] of kernels()) {
      for (const [c, a, b, parts] of cases) {
        assert.throws(() => mm(c, a, b), (e: unknown) => {
          assert.ok(e instanceof Error);
          for (const p of [name, ...parts]) assert.ok(e.message.includes(p), `"${e.message}" lacks "${p}"`);
          return true;
        });
      }
      const flat = ndarray(new Float32Array(4), [4]);
      assert.throws(() => mm(zeros(2, 2), flat, zeros(4, 2)), /2-D/, `${name}: 1-D operand`);
    }
  });

  test('one scratch reused across calls of growing and shrinking sizes', () => {
    const rng = makeRng(8, 'linalg-scratch');
    const scratch = makeBlockedScratch();
    const sequence: Array<[number, number, number]> = [
      [3, 5, 7], [33, 513, 65], [1, 1, 1], [5, 257, 6], [9, 257, 513], [2, 3, 2], [40, 20, 4], [5, 7, 3],
    ];
    for (const [M, K, N] of sequence) {
      const a = dyadicMat(rng, M, K), b = dyadicMat(rng, K, N);
      const reused = zeros(M, N), fresh = zeros(M, N), naive = zeros(M, N);
      matmulBlocked(reused, a, b, scratch);
      matmulBlocked(fresh, a, b, makeBlockedScratch());
      matmulNaive(naive, a, b);
      assert.deepStrictEqual(reused.data, naive.data, `reused scratch ${M}×${K}×${N}`);
      assert.deepStrictEqual(fresh.data, naive.data, `fresh scratch ${M}×${K}×${N}`);
    }
    // Grown on demand, then reused: a call no larger than an earlier one keeps the same buffers.
    assert.ok(scratch.ap.length >= 40 * KC && scratch.bp.length >= KC * NC, 'packing buffers hold the largest call');
    const { ap, bp } = scratch;
    matmulBlocked(zeros(33, 65), dyadicMat(rng, 33, 513), dyadicMat(rng, 513, 65), scratch);
    assert.ok(scratch.ap === ap && scratch.bp === bp, 'scratch reallocated for a call it could hold');
  });
});
