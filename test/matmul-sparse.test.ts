// The wasm backend's sparse product (matmulSparse: A packed compressed by pack-sparse.ts, the sparse
// multiply phase of kernel-multiply.ts) against its dense product and the TypeScript reference
// (matmul-sparse.ts): bit-equal on any inputs, since both sum in float32 in k order and the skipped
// terms are exact zeros; on odd shapes, more than one K block, transposed and offset views, zero
// panels and an all-zero A; the same bits on 1 and 2 threads (the pack shared as a row job); and the
// choice of sparse or dense at SPARSE_MAX_DENSITY. Values come from seeded makeRng streams.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { matmulSparseReference } from '../src/linalg/matmul-sparse.ts';
import { sharedFloat32 } from '../src/linalg/shared-floats.ts';
import { matView, shapeOf, transposed, type Mat } from '../src/linalg/view.ts';
import { BLOCKING } from '../src/linalg/wasm/layout.ts';
import { SPARSE_MAX_DENSITY } from '../src/linalg/wasm/matmul.ts';
import type { MatmulBackend } from '../src/linalg/backend.ts';
import { makeBackend } from '../src/run/backend.ts';
import { makeRng, type Rng } from '../src/rng.ts';
import { dense } from './mat-helpers.ts';

const SEED = 20261202;

/** (rows, cols) in shared memory, each entry non-zero with probability p (values of many binades), else 0. */
function sparseMat(rows: number, cols: number, p: number, rng: Rng): Mat {
  const m = matView(sharedFloat32(rows * cols), rows, cols);
  for (let i = 0; i < m.data.length; i++) {
    const v = (2 * rng.uniform() - 1) * 2 ** (rng.int(21) - 10);
    m.data[i] = rng.uniform() < p ? v : 0;
  }
  return m;
}

/** The same product three ways, bit for bit: matmulSparse, the dense matmul, the reference. Returns what matmulSparse chose. */
function assertSparseEqualsDense(be: MatmulBackend, a: Mat, b: Mat, what: string): { density: number; sparse: boolean } {
  const [M, N] = [a.shape[0]!, b.shape[1]!];
  const got = matView(sharedFloat32(M * N), M, N), want = matView(sharedFloat32(M * N), M, N), ref = matView(new Float32Array(M * N), M, N);
  got.data.fill(NaN); // every element must be written
  const use = be.matmulSparse!(got, a, b);
  be.matmul(want, a, b);
  matmulSparseReference(ref, a, b);
  const label = `${what}: a${shapeOf(a)}·b${shapeOf(b)}, ${be.threads} thread(s), density ${use.density.toFixed(3)}`;
  assert.deepStrictEqual(dense(got), dense(want), `${label}: sparse ≠ dense`);
  assert.deepStrictEqual(dense(ref), dense(want), `${label}: reference ≠ dense`);
  return use;
}

describe('wasm sparse product', () => {
  let one: MatmulBackend;
  let two: MatmulBackend;
  before(() => {
    one = makeBackend('wasm', 1, () => {});
    two = makeBackend('wasm', 2, () => {});
    assert.ok(two.rows.waitUntilShared(60_000), 'the workers did not load the row tasks');
  });
  after(() => {
    one.close();
    two.close();
  });

  // [M, K, N, p]: tiny, odd, K over one block (KC = 256) with a remainder, M and N padded; the
  // first layer's shapes (100×784·784×1000 forward, its transpose 784×100·100×1000 for dW).
  const cases: [number, number, number, number][] = [
    [1, 1, 1, 1], [7, 13, 5, 0.3], [33, 300, 17, 0.2], [130, 600, 129, 0.1], [5, 257, 9, 0.5], [100, 784, 1000, 0.19],
  ];

  test('matmulSparse gives the dense product\'s bits, and the reference\'s, on 1 and 2 threads', () => {
    const rng = makeRng(SEED, 'cases');
    const choices: boolean[] = [];
    for (const [M, K, N, p] of cases) {
      const a = sparseMat(M, K, p, rng), b = sparseMat(K, N, 1, rng);
      const at = transposed(sparseMat(K, M, p, rng)); // (M, K) stored column-major: the first layer's x̂ᵀ
      for (const be of [one, two]) {
        for (const use of [assertSparseEqualsDense(be, a, b, 'row-major'), assertSparseEqualsDense(be, at, b, 'transposed a')]) {
          assert.equal(use.sparse, use.density <= SPARSE_MAX_DENSITY);
          choices.push(use.sparse);
        }
      }
    }
    assert.ok(choices.includes(true) && choices.includes(false), `both paths ran: ${choices}`);
  });

  test('views with an offset and a row stride, zero panels, an all-zero a, a dense a', () => {
    const rng = makeRng(SEED, 'views');
    const M = 21, K = 300, N = 19;
    const big = sparseMat(M + 3, K + 5, 0.15, rng);
    const a = big.hi(M + 1, K + 2).lo(1, 2); // offset 1·(K+5) + 2, stride K+5
    for (let i = 4; i < 12; i++) for (let k = 0; k < K; k++) a.set(i, k, 0); // panels 1 and 2 all zero
    const b = sparseMat(K, N, 1, rng);
    for (const be of [one, two]) assert.equal(assertSparseEqualsDense(be, a, b, 'offset view').sparse, true);
    const zero = matView(sharedFloat32(M * K), M, K);
    for (const be of [one, two]) {
      const use = assertSparseEqualsDense(be, zero, b, 'all-zero a');
      assert.deepStrictEqual(use, { density: 0, sparse: true });
    }
    const full = sparseMat(M, K, 1, rng);
    for (const be of [one, two]) assert.deepStrictEqual(assertSparseEqualsDense(be, full, b, 'dense a'), { density: 1, sparse: false });
  });

  test(`sparse up to SPARSE_MAX_DENSITY = ${SPARSE_MAX_DENSITY} of a's (panel, k) pairs, dense above`, () => {
    const rng = makeRng(SEED, 'threshold');
    const { MR } = BLOCKING, M = 2 * MR + 1, K = 1000, N = 24; // three panels, the last one row
    // The most pairs with a non-zero whose share is still at most the threshold (as matmulSparse divides), then one more.
    const total = 3 * K;
    let kept = Math.floor(SPARSE_MAX_DENSITY * total);
    while ((kept + 1) / total <= SPARSE_MAX_DENSITY) kept++;
    while (kept / total > SPARSE_MAX_DENSITY) kept--;
    for (const extra of [0, 1]) {
      const a = matView(sharedFloat32(M * K), M, K);
      for (let q = 0; q < kept + extra; q++) {
        const panel = q % 3, k = Math.floor(q / 3), row = panel * MR + (panel === 2 ? 0 : rng.int(MR));
        a.set(row, k, 1 + rng.uniform());
      }
      const b = sparseMat(K, N, 1, rng);
      for (const be of [one, two]) {
        const use = assertSparseEqualsDense(be, a, b, `${kept + extra} kept pairs`);
        assert.equal(use.density, (kept + extra) / total);
        assert.equal(use.sparse, extra === 0, `density ${use.density}: sparse ${use.sparse}`);
      }
    }
  });
});
