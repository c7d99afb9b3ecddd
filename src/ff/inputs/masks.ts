// Hybrid negatives for unsupervised FF (docs/DEFINITIONS.md, "Unsupervised FF masks").
// A mask is a random bit image blurred `blurs` times with [1/4, 1/2, 1/4] (horizontal then
// vertical, edge pixel replicated) and thresholded at 0.5; a hybrid is a·mask + b·(1 − mask).
// Image size (R, C) always comes from the caller; nothing here assumes 28×28.
// Letters: N = batch rows, R = image rows, C = image cols, P = R·C pixels per image.
// Kernels write into caller-owned buffers and never allocate; they do not normalise images.
import type { Rng } from '../../rng.ts';
import type { ImageSize } from './shift.ts';

/** 2^32: one `rng.uniform()` is an ARC4 word divided by this, so it carries exactly 32 bits. */
const TWO_POW_32 = 4294967296;

function checkLength(fn: string, name: string, buf: Float32Array, need: number, shape: string): void {
  if (buf.length < need) {
    throw new Error(`${fn}: ${name} has ${buf.length} floats, needs ${shape} = ${need}`);
  }
}

function checkSize(fn: string, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new Error(`${fn}: image size must be positive integers, got (${rows}, ${cols})`);
  }
}

/**
 * One blur pass on the (R, C) image stored at img[off .. off + R·C): the filter [1/4, 1/2, 1/4]
 * along each row (into scratch), then along each column (back into img). Out-of-image neighbours
 * are the edge pixel itself (replicate padding), so a constant image stays constant.
 */
function blurAt(img: Float32Array, off: number, scratch: Float32Array, rows: number, cols: number): void {
  // img is (R, C) row-major at offset off; scratch is (R, C) at offset 0.
  // Horizontal: scratch[r, c] = img[r, c−1]/4 + img[r, c]/2 + img[r, c+1]/4.
  for (let r = 0; r < rows; r++) {
    const row = off + r * cols;
    const srow = r * cols;
    for (let c = 0; c < cols; c++) {
      const left = img[row + (c > 0 ? c - 1 : 0)]!;
      const right = img[row + (c < cols - 1 ? c + 1 : cols - 1)]!;
      scratch[srow + c] = 0.25 * left + 0.5 * img[row + c]! + 0.25 * right;
    }
  }
  // Vertical: img[r, c] = scratch[r−1, c]/4 + scratch[r, c]/2 + scratch[r+1, c]/4.
  for (let r = 0; r < rows; r++) {
    const up = (r > 0 ? r - 1 : 0) * cols;
    const mid = r * cols;
    const down = (r < rows - 1 ? r + 1 : rows - 1) * cols;
    const row = off + mid;
    for (let c = 0; c < cols; c++) {
      img[row + c] = 0.25 * scratch[up + c]! + 0.5 * scratch[mid + c]! + 0.25 * scratch[down + c]!;
    }
  }
}

/**
 * One blur pass in place: [1/4, 1/2, 1/4] horizontally, then vertically, replicate padding.
 * Exact on dyadic inputs while the denominators fit float32's 24-bit significand (a 0/1 image
 * stays exact for up to 6 passes: each pass multiplies the denominator by 16).
 */
export function blurInPlace(img: Float32Array, scratch: Float32Array, rows: number, cols: number): void {
  // img is (R, C) row-major, blurred in place; scratch is (R, C), contents overwritten.
  checkSize('blurInPlace', rows, cols);
  const p = rows * cols;
  checkLength('blurInPlace', 'img', img, p, `(${rows}, ${cols})`);
  checkLength('blurInPlace', 'scratch', scratch, p, `(${rows}, ${cols})`);
  blurAt(img, 0, scratch, rows, cols);
}

/** The mask at out[off .. off + R·C); draws ceil(R·C / 32) uniforms from rng. */
function randomMaskAt(out: Float32Array, off: number, scratch: Float32Array, size: ImageSize & { blurs: number }, rng: Rng): void {
  // out is (R, C) at offset off, scratch is (R, C).
  const { rows, cols, blurs } = size;
  // Random bits: each uniform() is a 32-bit ARC4 word, so one draw gives 32 fair bits, LSB first.
  const p = rows * cols;
  let word = 0;
  for (let i = 0; i < p; i++) {
    if ((i & 31) === 0) word = Math.floor(rng.uniform() * TWO_POW_32) >>> 0;
    out[off + i] = (word >>> (i & 31)) & 1;
  }
  for (let k = 0; k < blurs; k++) blurAt(out, off, scratch, rows, cols);
  // Threshold. Tie rule: a blurred value of exactly 0.5 (possible, every value is dyadic) maps
  // to 0, i.e. out = value > 0.5 ? 1 : 0. This biases the mean down by P(value = 0.5) / 2.
  for (let i = 0; i < p; i++) out[off + i] = out[off + i]! > 0.5 ? 1 : 0;
}

/**
 * A random 0/1 mask with large blobs: fair random bits, `blurs` blur passes, threshold at 0.5
 * (a value of exactly 0.5 becomes 0). Draws ceil(R·C / 32) uniforms from rng.
 */
export function randomMask(out: Float32Array, scratch: Float32Array, size: ImageSize, blurs: number, rng: Rng): void {
  // out is (R, C) row-major, written entirely; scratch is (R, C), contents overwritten.
  const { rows, cols } = size;
  checkSize('randomMask', rows, cols);
  if (!Number.isInteger(blurs) || blurs < 0) throw new Error(`randomMask: blurs must be an integer >= 0, got ${blurs}`);
  const p = rows * cols;
  checkLength('randomMask', 'out', out, p, `(${rows}, ${cols})`);
  checkLength('randomMask', 'scratch', scratch, p, `(${rows}, ${cols})`);
  randomMaskAt(out, 0, scratch, { rows, cols, blurs }, rng);
}

/** out = a · mask + b · (1 − mask) over `pixels` values, each array from its offset 0 (pass subarrays for rows further in). */
function hybridRowAt(out: Float32Array, a: Float32Array, b: Float32Array, mask: Float32Array, pixels: number): void {
  // Written as a·m + b·(1 − m), not b + m·(a − b), so that m ∈ {0, 1} copies a or b exactly.
  for (let k = 0; k < pixels; k++) {
    const m = mask[k]!;
    out[k] = a[k]! * m + b[k]! * (1 - m);
  }
}

/** Row by row: out[i] = a[i]·masks[i] + b[i]·(1 − masks[i]). Each row has its own mask. */
export function hybridRows(
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  masks: Float32Array,
  n: number,
  pixels: number,
): void {
  // out, a, b, masks are all (N, P) row-major.
  const need = n * pixels;
  const shape = `(${n}, ${pixels})`;
  checkLength('hybridRows', 'out', out, need, shape);
  checkLength('hybridRows', 'a', a, need, shape);
  checkLength('hybridRows', 'b', b, need, shape);
  checkLength('hybridRows', 'masks', masks, need, shape);
  for (let i = 0; i < n; i++) {
    const off = i * pixels;
    hybridRowAt(out.subarray(off), a.subarray(off), b.subarray(off), masks.subarray(off), pixels);
  }
}

/**
 * Hybrid negatives for one batch. For every row i: a FRESH mask (into masks row i), then a
 * partner j ≠ i drawn uniformly from the other N − 1 rows of the same batch, and
 * out[i] = images[i]·mask + images[j]·(1 − mask). Pairing within the batch is the design choice
 * (no second pass over the dataset); j is a different row, though two rows may happen to hold
 * identical images, which is accepted. RNG order per row: the mask's bits, then one draw for j.
 * `partnersOut` (optional, last because optional) receives j for each row, for tests and plots.
 */
export function makeHybridBatch(
  out: Float32Array,
  masks: Float32Array,
  scratch: Float32Array,
  images: Float32Array,
  n: number,
  rows: number,
  cols: number,
  blurs: number,
  rng: Rng,
  partnersOut?: Int32Array,
): void {
  // out, masks, images are (N, P) row-major with P = R·C; scratch is (R, C); partnersOut is (N).
  checkSize('makeHybridBatch', rows, cols);
  if (!Number.isInteger(n) || n < 2) throw new Error(`makeHybridBatch: need N >= 2 rows to pair, got ${n}`);
  if (!Number.isInteger(blurs) || blurs < 0) throw new Error(`makeHybridBatch: blurs must be an integer >= 0, got ${blurs}`);
  const pixels = rows * cols;
  const need = n * pixels;
  const shape = `(${n}, ${rows}·${cols})`;
  checkLength('makeHybridBatch', 'out', out, need, shape);
  checkLength('makeHybridBatch', 'masks', masks, need, shape);
  checkLength('makeHybridBatch', 'images', images, need, shape);
  checkLength('makeHybridBatch', 'scratch', scratch, pixels, `(${rows}, ${cols})`);
  if (partnersOut !== undefined && partnersOut.length < n) {
    throw new Error(`makeHybridBatch: partnersOut has ${partnersOut.length} entries, needs N = ${n}`);
  }
  for (let i = 0; i < n; i++) {
    const off = i * pixels;
    randomMaskAt(masks, off, scratch, { rows, cols, blurs }, rng);
    // Uniform over {0..N−1} \ {i}: draw from N − 1 values and skip over i.
    let j = rng.int(n - 1);
    if (j >= i) j++;
    if (partnersOut !== undefined) partnersOut[i] = j;
    hybridRowAt(out.subarray(off), images.subarray(off), images.subarray(j * pixels), masks.subarray(off), pixels);
  }
}
