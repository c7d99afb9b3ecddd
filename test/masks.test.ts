// Tests for src/ff/inputs/masks.ts: the blur kernel exactly on small dyadic images (tier A), the
// statistics of thresholded masks (values 0/1, mean ~0.5, blobs), hybrids that copy each pixel
// from source a or source b, partners that are other rows, and seed determinism.
// Sizes deliberately include non-square and non-28 images to catch row/column mix-ups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blurInPlace, hybridRows, makeHybridBatch, randomMask } from '../src/ff/inputs/masks.ts';
import { makeRng } from '../src/rng.ts';

/** Row-major outer product u vᵀ as a Float32Array. */
function outer(u: number[], v: number[]): Float32Array {
  const out = new Float32Array(u.length * v.length);
  for (let r = 0; r < u.length; r++) for (let c = 0; c < v.length; c++) out[r * v.length + c] = u[r]! * v[c]!;
  return out;
}

function oneHotImage(rows: number, cols: number, r: number, c: number): Float32Array {
  const img = new Float32Array(rows * cols);
  img[r * cols + c] = 1;
  return img;
}

test('blur: a single 1 in the middle of 5×5 becomes [1/4,1/2,1/4] ⊗ [1/4,1/2,1/4]', () => {
  const img = oneHotImage(5, 5, 2, 2);
  blurInPlace(img, new Float32Array(25), 5, 5);
  assert.deepStrictEqual(img, outer([0, 0.25, 0.5, 0.25, 0], [0, 0.25, 0.5, 0.25, 0]));
});

test('blur: replicate padding at a corner keeps 3/4 of the mass on the edge side', () => {
  // Horizontally, pixel 0 sees itself as its left neighbour: 1/4·1 + 1/2·1 + 1/4·0 = 3/4,
  // pixel 1 gets 1/4. Same vertically, so the result is [3/4,1/4,0,0,0] ⊗ [3/4,1/4,0,0,0].
  const img = oneHotImage(5, 5, 0, 0);
  blurInPlace(img, new Float32Array(25), 5, 5);
  assert.deepStrictEqual(img, outer([0.75, 0.25, 0, 0, 0], [0.75, 0.25, 0, 0, 0]));
});

test('blur: non-square 3×4 image, a 1 on the bottom edge, columns and rows not swapped', () => {
  // Row 2 of 3 (bottom edge): vertical factor [0, 1/4, 3/4]; column 1 of 4: [1/4, 1/2, 1/4, 0].
  const img = oneHotImage(3, 4, 2, 1);
  blurInPlace(img, new Float32Array(12), 3, 4);
  assert.deepStrictEqual(img, outer([0, 0.25, 0.75], [0.25, 0.5, 0.25, 0]));
});

test('blur: replicate padding keeps a constant image constant and conserves the mass of a one-hot', () => {
  const img = new Float32Array(6 * 7).fill(0.625);
  blurInPlace(img, new Float32Array(42), 6, 7);
  assert.deepStrictEqual(img, new Float32Array(42).fill(0.625));
  // Replicate padding is mass-preserving (each pixel's weight is redistributed, none leaves).
  const spot = oneHotImage(6, 7, 5, 6);
  const scratch = new Float32Array(42);
  for (let k = 0; k < 3; k++) blurInPlace(spot, scratch, 6, 7);
  assert.equal(spot.reduce((s, v) => s + v, 0), 1);
});

test('blur: two passes equal [1,4,6,4,1]/16 ⊗ [1,4,6,4,1]/16 away from the edges', () => {
  const img = oneHotImage(7, 7, 3, 3);
  const scratch = new Float32Array(49);
  blurInPlace(img, scratch, 7, 7);
  blurInPlace(img, scratch, 7, 7);
  const f = [0, 1, 4, 6, 4, 1, 0].map((v) => v / 16);
  assert.deepStrictEqual(img, outer(f, f));
});

test('randomMask: values are only 0 or 1, mean ≈ 0.5, neighbours agree far more than chance', () => {
  const rows = 28;
  const cols = 28;
  const p = rows * cols;
  const rng = makeRng(123, 'masks');
  const mask = new Float32Array(p);
  const scratch = new Float32Array(p);
  let ones = 0;
  let agreeH = 0;
  let pairsH = 0;
  let agreeV = 0;
  let pairsV = 0;
  const count = 200;
  for (let m = 0; m < count; m++) {
    randomMask(mask, scratch, { rows, cols }, 6, rng);
    for (let i = 0; i < p; i++) {
      const v = mask[i]!;
      assert.ok(v === 0 || v === 1, `mask value ${v} at ${i}`);
      ones += v;
    }
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = mask[r * cols + c]!;
        if (c + 1 < cols) {
          pairsH++;
          if (v === mask[r * cols + c + 1]) agreeH++;
        }
        if (r + 1 < rows) {
          pairsV++;
          if (v === mask[(r + 1) * cols + c]) agreeV++;
        }
      }
    }
  }
  const mean = ones / (count * p);
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mask mean ${mean}`);
  assert.ok(agreeH / pairsH > 0.8, `horizontal agreement ${agreeH / pairsH}`);
  assert.ok(agreeV / pairsV > 0.8, `vertical agreement ${agreeV / pairsV}`);
});

test('randomMask: with 0 blurs it is the raw fair bits (agreement ≈ 0.5)', () => {
  const rng = makeRng(5, 'masks');
  const mask = new Float32Array(20 * 30);
  const scratch = new Float32Array(20 * 30);
  let agree = 0;
  let pairs = 0;
  for (let m = 0; m < 20; m++) {
    randomMask(mask, scratch, { rows: 20, cols: 30 }, 0, rng);
    for (let i = 0; i + 1 < mask.length; i++) {
      if ((i + 1) % 30 === 0) continue;
      pairs++;
      if (mask[i] === mask[i + 1]) agree++;
    }
  }
  assert.ok(Math.abs(agree / pairs - 0.5) < 0.03, `agreement ${agree / pairs}`);
});

test('randomMask: the same seed gives identical masks, another seed does not', () => {
  const make = (seed: number): Float32Array => {
    const rng = makeRng(seed, 'masks');
    const out = new Float32Array(3 * 9 * 11);
    const scratch = new Float32Array(9 * 11);
    for (let k = 0; k < 3; k++) randomMask(out.subarray(k * 99, (k + 1) * 99), scratch, { rows: 9, cols: 11 }, 4, rng);
    return out;
  };
  assert.deepStrictEqual(make(7), make(7));
  assert.notDeepStrictEqual(make(7), make(8));
});

test('hybridRows: each row uses its own mask, exactly', () => {
  const a = Float32Array.of(1, 2, 3, 4, 5, 6);
  const b = Float32Array.of(-1, -2, -3, -4, -5, -6);
  const masks = Float32Array.of(1, 0, 1, 0, 0, 1);
  const out = new Float32Array(6);
  hybridRows(out, a, b, masks, 2, 3);
  assert.deepStrictEqual(out, Float32Array.of(1, -2, 3, -4, -5, 6));
});

test('makeHybridBatch: every pixel is from source a (mask 1) or its partner b (mask 0), partner ≠ row', () => {
  const n = 6;
  const rows = 7;
  const cols = 5;
  const p = rows * cols;
  // Every pixel value unique across the batch, so a match identifies its source row.
  const images = new Float32Array(n * p);
  for (let i = 0; i < images.length; i++) images[i] = (i + 1) / 256;
  const out = new Float32Array(n * p);
  const masks = new Float32Array(n * p);
  const scratch = new Float32Array(p);
  const partners = new Int32Array(n);
  const rng = makeRng(11, 'negatives');
  let fromA = 0;
  let fromB = 0;
  for (let batch = 0; batch < 20; batch++) {
    makeHybridBatch(out, masks, scratch, images, n, rows, cols, 2, rng, partners);
    for (let i = 0; i < n; i++) {
      const j = partners[i]!;
      assert.ok(j >= 0 && j < n && j !== i, `row ${i} paired with ${j}`);
      for (let k = 0; k < p; k++) {
        const m = masks[i * p + k]!;
        const v = out[i * p + k]!;
        assert.ok(m === 0 || m === 1);
        // Independent of partners: the value is row i's or some other row's pixel at position k.
        const src = Math.round(v * 256) - 1 - k;
        assert.ok(src % p === 0 && src / p >= 0 && src / p < n, `row ${i} pixel ${k} = ${v} is no source pixel`);
        assert.equal(v, m === 1 ? images[i * p + k] : images[j * p + k]);
        if (m === 1) fromA++;
        else {
          fromB++;
          assert.notEqual(src / p, i);
        }
      }
    }
  }
  // Both sources really contribute (a mask of all ones would make a positive, not a hybrid).
  assert.ok(fromA > 0.3 * (fromA + fromB) && fromB > 0.3 * (fromA + fromB), `from a ${fromA}, from b ${fromB}`);
});

test('makeHybridBatch: fresh mask per row, partners cover all other rows, row 0 mask matches randomMask', () => {
  const n = 4;
  const rows = 10;
  const cols = 12;
  const p = rows * cols;
  const images = new Float32Array(n * p);
  const out = new Float32Array(n * p);
  const masks = new Float32Array(n * p);
  const scratch = new Float32Array(p);
  const partners = new Int32Array(n);
  const counts = new Int32Array(n * n);
  const rng = makeRng(3, 'negatives');
  for (let batch = 0; batch < 400; batch++) {
    makeHybridBatch(out, masks, scratch, images, n, rows, cols, 3, rng, partners);
    for (let i = 0; i < n; i++) counts[i * n + partners[i]!]!++;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const c = counts[i * n + j]!;
      if (i === j) assert.equal(c, 0);
      else assert.ok(c > 80 && c < 190, `pair (${i}, ${j}) drawn ${c} times of 400, expected ~133`);
    }
  }
  // Documented RNG order: row 0's mask bits come first, so row 0 equals a plain randomMask.
  const fresh = makeRng(9, 'negatives');
  makeHybridBatch(out, masks, scratch, images, n, rows, cols, 3, fresh);
  const single = new Float32Array(p);
  randomMask(single, scratch, { rows, cols }, 3, makeRng(9, 'negatives'));
  assert.deepStrictEqual(masks.slice(0, p), single);
  // Each row drew its own mask.
  for (let i = 1; i < n; i++) assert.notDeepStrictEqual(masks.slice(i * p, (i + 1) * p), masks.slice(0, p));
});

test('makeHybridBatch: same seed, same masks and hybrids; shape errors name the shapes', () => {
  const run = (): [Float32Array, Float32Array] => {
    const images = new Float32Array(3 * 16).map((_, i) => (i % 7) / 8);
    const out = new Float32Array(3 * 16);
    const masks = new Float32Array(3 * 16);
    makeHybridBatch(out, masks, new Float32Array(16), images, 3, 4, 4, 1, makeRng(1, 'negatives'));
    return [out, masks];
  };
  assert.deepStrictEqual(run(), run());
  assert.throws(
    () => makeHybridBatch(new Float32Array(10), new Float32Array(48), new Float32Array(16), new Float32Array(48), 3, 4, 4, 1, makeRng(1, 'x')),
    /out has 10 floats, needs \(3, 4·4\) = 48/,
  );
  assert.throws(
    () => makeHybridBatch(new Float32Array(16), new Float32Array(16), new Float32Array(16), new Float32Array(16), 1, 4, 4, 1, makeRng(1, 'x')),
    /need N >= 2/,
  );
});
