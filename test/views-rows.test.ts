// Tests for src/linalg's views and row kernels. Views (view.ts): a row-major view over existing
// storage at an offset, transposes over the same storage, zeros, topRows, shapeOf, isRowMajor.
// Row kernels (rows.ts): rms and l2 normalisation (exact on dyadic rows, the ε, in place), bias +
// relu, sums of squares and column sums, exact where the arithmetic allows, else within float32 or
// float64 rounding.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ndarray from 'ndarray';
import { isRowMajor, matView, shapeOf, topRows, transposed, zeros } from '../src/linalg/view.ts';
import { biasReluRows, columnSums, l2NormalizeRows, rmsNormalizeRows, sumSquaresRows } from '../src/linalg/rows.ts';
import { makeRng } from '../src/rng.ts';
import { assertClose, U32 } from './helpers.ts';
import { dense, fromRows } from './mat-helpers.ts';

describe('views (view.ts)', () => {
  test('matView: row-major over existing storage at an offset; too small a buffer throws', () => {
    const buf = Float32Array.from([9, 9, 0, 0.25, -0.5, 1, 2, 4]);
    const m = matView(buf, 2, 3, 2);
    assert.equal(m.data, buf, 'a view, not a copy');
    assert.deepStrictEqual([m.shape, m.stride, m.offset], [[2, 3], [3, 1], 2]);
    assert.deepStrictEqual(dense(m), Float32Array.from([0, 0.25, -0.5, 1, 2, 4]));
    assert.throws(() => matView(buf, 2, 3, 3), /\(2, 3\) at offset 3 does not fit in 8 floats/);
    assert.throws(() => matView(buf, 3, 3), /\(3, 3\) at offset 0 does not fit in 8 floats/);
  });

  test('transposed swaps shape and strides over the same storage; zeros, topRows, shapeOf, isRowMajor', () => {
    const m = fromRows([[1, 2, 3], [4, 5, 6]]);
    const t = transposed(m);
    assert.equal(t.data, m.data);
    assert.deepStrictEqual([t.shape, t.stride, t.offset], [[3, 2], [1, 3], 0]);
    assert.deepStrictEqual(dense(t), Float32Array.from([1, 4, 2, 5, 3, 6]));
    t.set(2, 1, -0.5); // writes through to m(1, 2)
    assert.equal(m.get(1, 2), -0.5);
    const z = zeros(2, 3);
    assert.deepStrictEqual([z.data, z.shape, z.stride, z.offset], [new Float32Array(6), [2, 3], [3, 1], 0]);
    const top = topRows(m, 1);
    assert.deepStrictEqual([top.shape, top.data === m.data], [[1, 3], true]);
    assert.deepStrictEqual(dense(top), Float32Array.from([1, 2, 3]));
    assert.equal(shapeOf(t), '(3, 2)');
    assert.equal(isRowMajor(m), true);
    assert.equal(isRowMajor(matView(new Float32Array(10), 2, 3, 4)), true, 'an offset keeps it dense');
    assert.equal(isRowMajor(t), false, 'transposed');
    assert.equal(isRowMajor(ndarray(new Float32Array(20), [4, 5]).hi(4, 3)), false, 'sub-matrix with a wider stride');
    assert.equal(isRowMajor(ndarray(new Float32Array(20), [4, 5]).step(1, 2)), false, 'column-stepped');
  });
});
// ---- Row kernels ----------------------------------------------------------------------------

describe('row kernels', () => {
  test('rmsNormalizeRows is exact on dyadic rows (float32 and float64), eps = 0', () => {
    // mean squares: 1, 1, 4, 0.25  =>  divisors 1, 1, 2, 0.5
    const x = [2, 0, 0, 0, 1, -1, 1, -1, 4, 0, 0, 0, 0.5, 0.5, -0.5, 0.5];
    const want = [2, 0, 0, 0, 1, -1, 1, -1, 2, 0, 0, 0, 1, 1, -1, 1];
    for (const Ctor of [Float32Array, Float64Array]) {
      const out = new Ctor(16);
      rmsNormalizeRows(out, Ctor.from(x), 4, 4, 0);
      assert.deepStrictEqual(out, Ctor.from(want), Ctor.name);
    }
  });

  test('rmsNormalizeRows with eps = 1e-8: [2,0,0,0] stays [2,0,0,0] in float32, a zero row stays 0', () => {
    // 2/(1 + 1e-8) = 2 − 2e-8, within half an ulp (6e-8) of 2 in float32.
    const out = new Float32Array(8).fill(7);
    rmsNormalizeRows(out, Float32Array.from([2, 0, 0, 0, 0, 0, 0, 0]), 2, 4, 1e-8);
    assert.deepStrictEqual(out, Float32Array.from([2, 0, 0, 0, 0, 0, 0, 0]));
    // float64 sees the ε: 2/(1 + 1e-8)
    const out64 = new Float64Array(4);
    rmsNormalizeRows(out64, Float64Array.from([2, 0, 0, 0]), 1, 4, 1e-8);
    assertClose(out64, [2 / (1 + 1e-8), 0, 0, 0], 1e-15, 'float64 rms with eps');
    assert.ok(out64[0]! < 2, 'ε shrinks the row');
  });

  test('l2NormalizeRows is exact on dyadic rows, eps = 0', () => {
    // lengths 2, 2, 0.5
    const x = [0, 2, 0, 0, 1, 1, -1, 1, -0.5, 0, 0, 0];
    const want = [0, 1, 0, 0, 0.5, 0.5, -0.5, 0.5, -1, 0, 0, 0];
    for (const Ctor of [Float32Array, Float64Array]) {
      const out = new Ctor(12);
      l2NormalizeRows(out, Ctor.from(x), 3, 4, 0);
      assert.deepStrictEqual(out, Ctor.from(want), Ctor.name);
    }
  });

  test('l2NormalizeRows of [3, 4] with eps 1e-4 is 1/(5 + 1e-4)·[3, 4] ≈ [0.6, 0.8]', () => {
    const out = new Float32Array(2);
    l2NormalizeRows(out, Float32Array.from([3, 4]), 1, 2, 1e-4);
    assertClose(out, [3 / 5.0001, 4 / 5.0001], (i) => 2 * U32 * [0.6, 0.8][i]!, 'float32 l2 with eps');
    assertClose(out, [0.6, 0.8], 2e-5, 'close to the unit vector');
    const out64 = new Float64Array(2);
    l2NormalizeRows(out64, Float64Array.from([3, 4]), 1, 2, 0);
    assertClose(out64, [0.6, 0.8], 2e-16, 'float64 l2, eps 0');
  });

  test('normalisation in place (out === x) equals out of place, and leaves rows ≥ R alone', () => {
    const rng = makeRng(9, 'linalg-rows');
    const x = new Float32Array(3 * 5).map(() => rng.normal());
    for (const fn of [rmsNormalizeRows, l2NormalizeRows]) {
      const separate = new Float32Array(15).fill(7);
      fn(separate, x, 2, 5, 1e-4);
      const inPlace = x.slice();
      fn(inPlace, inPlace, 2, 5, 1e-4);
      assert.deepStrictEqual(inPlace.subarray(0, 10), separate.subarray(0, 10), fn.name);
      assert.deepStrictEqual(inPlace.subarray(10), x.subarray(10), `${fn.name}: row 2 untouched in place`);
      assert.deepStrictEqual(separate.subarray(10), new Float32Array(5).fill(7), `${fn.name}: row 2 of out untouched`);
    }
  });

  test('biasReluRows is exact, out of place and in place', () => {
    const z = Float32Array.from([-0.5, 0.25, 1, 0, 2, -2, 0.5, -0.25]);
    const b = Float32Array.from([0.25, -0.5, 1, 0]);
    // z + b = [−0.25, −0.25, 2, 0 | 2.25, −2.5, 1.5, −0.25]
    const want = Float32Array.from([0, 0, 2, 0, 2.25, 0, 1.5, 0]);
    const y = new Float32Array(8).fill(7);
    biasReluRows(y, z, b, 2, 4);
    assert.deepStrictEqual(y, want);
    const zz = z.slice();
    biasReluRows(zz, zz, b, 2, 4);
    assert.deepStrictEqual(zz, want, 'in place');
  });

  test('sumSquaresRows is exact', () => {
    const y = Float32Array.from([1, 2, 0, 0.5, 0, 0, 0, 0, -0.25, 0.25, -1, 1]);
    const s = new Float32Array(3).fill(7);
    sumSquaresRows(s, y, 3, 4);
    assert.deepStrictEqual(s, Float32Array.from([5.25, 0, 2.125]));
  });

  test('columnSums over a row range overwrites colSum', () => {
    // m is (4, 3)
    const m = Float32Array.from([1, 2, 3, 0.5, -1, 0.25, 2, 4, -0.5, 100, 100, 100]);
    const s = new Float32Array(3).fill(7);
    columnSums(s, m, 1, 2, 3); // rows 1 and 2
    assert.deepStrictEqual(s, Float32Array.from([2.5, 3, -0.25]));
    columnSums(s, m, 0, 4, 3); // all rows
    assert.deepStrictEqual(s, Float32Array.from([103.5, 105, 102.75]));
    columnSums(s, m, 2, 0, 3); // no rows
    assert.deepStrictEqual(s, new Float32Array(3));
  });
});
