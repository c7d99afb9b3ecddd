// Random shifts of a training step's images (--shift K, data augmentation). Each image of the
// batch (rows × cols, as the dataset has them) moves by (dx, dy) whole pixels, dx and dy uniform
// in −K..K, drawn from the 'shift' stream (dx then dy, image after image); pixels that come in
// from outside the frame are 0:
//   out[y][x] = in[y − dy][x − dx] where 0 ≤ y − dy < rows and 0 ≤ x − dx < cols, else 0
// (dx > 0 moves the content right, dy > 0 down). Training steps only: evaluation never shifts.
// Supervised FF writes the label pixels after the shift. B = images, P = rows·cols pixels.
import type { Rng } from '../../rng.ts';
import type { Split } from '../../data/dataset.ts';
import type { StepObserver } from '../step-observer.ts';

/** An image's size in pixels, rows × cols (a Split is one). */
export interface ImageSize {
  rows: number;
  cols: number;
}

// out (rows, cols) = src (rows, cols) moved by (dx, dy), zero fill (both from their offset 0: pass
// subarrays for images further in). out ≠ src.
export function shiftImage(out: Float32Array, src: Float32Array, size: ImageSize, dx: number, dy: number): void {
  const { rows, cols } = size, outOff = 0, srcOff = 0;
  for (let y = 0; y < rows; y++) {
    const sy = y - dy, o = outOff + y * cols;
    if (sy < 0 || sy >= rows) {
      out.fill(0, o, o + cols);
      continue;
    }
    const s = srcOff + sy * cols;
    for (let x = 0; x < cols; x++) {
      const sx = x - dx;
      out[o + x] = sx >= 0 && sx < cols ? src[s + sx]! : 0;
    }
  }
}

/** A run's shifts: the largest shift K, its stream, and one image of scratch. */
export interface Shifter {
  K: number;
  rng: Rng;
  scratch: Float32Array; // (P)
}

/** The shifter of a run with --shift K over images of P pixels (null when K = 0). */
export function makeShifter(K: number, rng: Rng | undefined, P: number): Shifter | null {
  if (K === 0) return null;
  if (!rng) throw new Error('makeShifter: --shift needs the shift stream');
  return { K, rng, scratch: new Float32Array(P) };
}

// images (B, rows·cols) moved in place, each by its own draw; draws.dx, draws.dy (B), if given, receive the draws.
export function shiftBatch(sh: Shifter, images: Float32Array, B: number, size: ImageSize, draws?: { dx: Int32Array; dy: Int32Array }): void {
  const P = size.rows * size.cols, n = 2 * sh.K + 1, dx = draws?.dx, dy = draws?.dy;
  for (let b = 0; b < B; b++) {
    const sx = sh.rng.int(n) - sh.K, sy = sh.rng.int(n) - sh.K;
    if (dx) dx[b] = sx;
    if (dy) dy[b] = sy;
    if (sx === 0 && sy === 0) continue;
    sh.scratch.set(images.subarray(b * P, (b + 1) * P));
    shiftImage(images.subarray(b * P), sh.scratch, size, sx, sy);
  }
}

// A training step's shift of its B gathered images (B, P) of batch.split (no-op without a shifter);
// `obs` sees the draws and the shifted images, as `view` (2: the second views of --views 2).
export function shiftStepImages(
  sh: Shifter | null, images: Float32Array, batch: { split: Split; B: number }, obs?: StepObserver, view: 1 | 2 = 1,
): void {
  if (!sh) return;
  const { split, B } = batch, P = split.rows * split.cols;
  const draws = obs?.onShift ? { dx: new Int32Array(B), dy: new Int32Array(B) } : undefined;
  shiftBatch(sh, images, B, split, draws);
  if (draws) obs!.onShift!(draws.dx, draws.dy, images.subarray(0, B * P), view);
}
