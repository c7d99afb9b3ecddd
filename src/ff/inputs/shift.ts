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

// out (rows, cols) at outOff = src (rows, cols) at srcOff moved by (dx, dy), zero fill. out ≠ src.
export function shiftImage(
  out: Float32Array, outOff: number, src: Float32Array, srcOff: number, rows: number, cols: number, dx: number, dy: number,
): void {
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

// images (B, rows·cols) moved in place, each by its own draw; dx, dy (B), if given, receive the draws.
export function shiftBatch(
  sh: Shifter, images: Float32Array, B: number, rows: number, cols: number, dx?: Int32Array, dy?: Int32Array,
): void {
  const P = rows * cols, n = 2 * sh.K + 1;
  for (let b = 0; b < B; b++) {
    const sx = sh.rng.int(n) - sh.K, sy = sh.rng.int(n) - sh.K;
    if (dx) dx[b] = sx;
    if (dy) dy[b] = sy;
    if (sx === 0 && sy === 0) continue;
    sh.scratch.set(images.subarray(b * P, (b + 1) * P));
    shiftImage(images, b * P, sh.scratch, 0, rows, cols, sx, sy);
  }
}

// A training step's shift of its B gathered images (B, P) of `split` (no-op without a shifter);
// `obs` sees the draws and the shifted images, as `view` (2: the second views of --views 2).
export function shiftStepImages(sh: Shifter | null, images: Float32Array, B: number, split: Split, obs?: StepObserver, view: 1 | 2 = 1): void {
  if (!sh) return;
  const P = split.rows * split.cols;
  const dx = obs?.onShift ? new Int32Array(B) : undefined, dy = obs?.onShift ? new Int32Array(B) : undefined;
  shiftBatch(sh, images, B, split.rows, split.cols, dx, dy);
  if (dx && dy) obs!.onShift!(dx, dy, images.subarray(0, B * P), view);
}
