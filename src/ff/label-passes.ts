// The first layer of the C label passes of an image, computed from ONE matrix product.
// The label overlay replaces pixels 0..C-1 of the image by s·one-hot(c), so for every label c
//   ‖x_c‖² = Σ_{j≥C} x_j² + s²          — the same for all c: one normalisation factor κ per image
//   x̂_c·W = κ·(x_rest·W + s·W[c, :])    — x_rest: the image with its label pixels zeroed
// and z_c = κ·(x_rest·W + s·W[c,:]) + b. The product x_rest·W is shared by all C labels: the
// first layer costs one product per image instead of C. (Equal to the plain computation up to
// float32 rounding order; test/label-passes.test.ts checks it against the plain pass.)
// n = images, C = classes, D = pixels, H = first layer width.
import { goodnessRows, L2_EPS, RMS_EPS, type Norm, type Goodness } from './definitions.ts';
import { matView } from '../linalg/view.ts';
import type { LayerActs, LayerParams, MatmulFn } from './layer.ts';

// y (C·n, H) and G (C·n) of acts: block c (rows c·n .. c·n+n-1) is the first layer's output for
// the n images of `images` (n, D) with label c written in at strength s. base (n, H) is scratch.
// images is modified: its label pixels are zeroed.
export function firstLayerAllLabels(
  acts: LayerActs<Float32Array>, base: Float32Array, images: Float32Array, layer: LayerParams<Float32Array>,
  n: number, C: number, s: number, norm: Norm, goodness: Goodness, mm: MatmulFn<Float32Array>,
): void {
  const { D, H, W, b } = layer;
  const kappa = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const o = r * D;
    for (let c = 0; c < C; c++) images[o + c] = 0;
    let ss = s * s; // the label pixel's square, whichever label
    for (let j = C; j < D; j++) ss += images[o + j]! * images[o + j]!;
    kappa[r] = norm === 'rms' ? 1 / (RMS_EPS + Math.sqrt(ss / D)) : 1 / (L2_EPS + Math.sqrt(ss));
  }
  mm(matView(base, n, H), matView(images, n, D), matView(W, D, H)); // x_rest·W, once
  const y = acts.y;
  for (let c = 0; c < C; c++) {
    const wc = c * H; // row c of W: the label pixel's weights
    for (let r = 0; r < n; r++) {
      const k = kappa[r]!, o = (c * n + r) * H, bo = r * H;
      for (let j = 0; j < H; j++) {
        const z = k * (base[bo + j]! + s * W[wc + j]!) + b[j]!;
        y[o + j] = z > 0 ? z : 0;
      }
    }
  }
  goodnessRows(acts.G, y, C * n, H, goodness);
}
