// Tier B: every hand-derived gradient of the FF layer against central finite differences in
// float64, running the library's own forward and backward code on Float64Array storage.
// Tier A: exact values of the forward pass on small dyadic inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerBackward, layerForward, type LayerActs, type LayerMath, type LayerParams } from '../src/ff/layer/layer.ts';
import { matmulNaive } from '../src/linalg/matmul-naive.ts';
import { makeRng } from '../src/rng.ts';
import type { Goodness, Norm } from '../src/ff/layer/definitions.ts';
import { matView } from '../src/linalg/view.ts';

const mm = (c: any, a: any, b: any) => matmulNaive<Float64Array>(c, a, b);

function params64(D: number, H: number, seed: number): LayerParams<Float64Array> {
  const rng = makeRng(seed, 'test-init');
  const W = new Float64Array(D * H).map(() => rng.normal() / Math.sqrt(D));
  const b = new Float64Array(H).map(() => 0.1 * rng.normal());
  return { D, H, W, b, dW: new Float64Array(D * H), db: new Float64Array(H), peerMean: new Float64Array(H).map(() => rng.uniform()) };
}

function acts64(N: number, D: number, H: number): LayerActs<Float64Array> {
  return {
    xhat: new Float64Array(N * D), y: new Float64Array(N * H), G: new Float64Array(N), dLdG: new Float64Array(N), dZ: new Float64Array(N * H),
  };
}

// The objective the backward differentiates: the FF loss plus, with peer normalisation, the
// surrogate (λ/N) Σ_{r<P} Σ_j (m_j − m̄)·z_rj with m held at its post-update value.
function objective(x: Float64Array, layer: LayerParams<Float64Array>, N: number, P: number, math: LayerMath, m: Float64Array): number {
  const acts = acts64(N, layer.D, layer.H);
  layerForward({ math, mm }, acts, x, layer, N);
  const copy = { ...layer, dW: new Float64Array(layer.dW.length), db: new Float64Array(layer.H), peerMean: new Float64Array(layer.H) };
  const loss = layerBackward({ math: { ...math, peerNorm: 0 }, mm: mm }, acts, copy, { N, P });
  if (math.peerNorm === 0) return loss;
  const { D, H } = layer;
  const z = new Float64Array(N * H);
  matmulNaive(matView(z, N, H), matView(acts.xhat, N, D), matView(layer.W, D, H));
  let mBar = 0;
  for (let j = 0; j < H; j++) mBar += m[j]! / H;
  let peer = 0;
  for (let r = 0; r < P; r++) for (let j = 0; j < H; j++) peer += (m[j]! - mBar) * (z[r * H + j]! + layer.b[j]!);
  return loss + (math.peerNorm / N) * peer;
}

function checkGradients(norm: Norm, goodness: Goodness, peerNorm: number, threshold: number | null) {
  const N = 6, P = 3, D = 5, H = 4;
  const math: LayerMath = { norm, goodness, threshold, peerNorm, peerMomentum: 0.9 };
  const rng = makeRng(7, 'test-x');
  const x = new Float64Array(N * D).map(() => rng.uniform());
  const layer = params64(D, H, 3);
  const acts = acts64(N, D, H);
  layerForward({ math, mm }, acts, x, layer, N);
  const before = layer.peerMean.slice();
  layerBackward({ math, mm }, acts, layer, { N, P });
  const m = layer.peerMean.slice(); // the post-update running mean, a constant for the surrogate
  if (peerNorm > 0) assert.notDeepEqual(Array.from(before), Array.from(m), 'peer mean was updated');
  const eps = 1e-6;
  let worst = 0;
  for (const [name, param, grad] of [['W', layer.W, layer.dW], ['b', layer.b, layer.db]] as const) {
    for (let i = 0; i < param.length; i++) {
      const keep = param[i]!;
      param[i] = keep + eps;
      const up = objective(x, layer, N, P, math, m);
      param[i] = keep - eps;
      const down = objective(x, layer, N, P, math, m);
      param[i] = keep;
      const fd = (up - down) / (2 * eps);
      const err = Math.abs(fd - grad[i]!) / Math.max(1e-8, Math.abs(fd) + Math.abs(grad[i]!));
      worst = Math.max(worst, err);
      assert.ok(err < 1e-5 || Math.abs(fd - grad[i]!) < 1e-10, `${name}[${i}]: finite difference ${fd} vs backward ${grad[i]} (rel err ${err})`);
    }
  }
  return worst;
}

for (const norm of ['rms', 'l2'] as const) {
  for (const goodness of ['sum', 'mean'] as const) {
    // Thresholds near the goodness values of this tiny layer keep p away from 0 and 1.
    const theta = goodness === 'sum' ? 1 : 0.25;
    test(`layer gradient matches finite differences: ${norm}, ${goodness}`, () => {
      checkGradients(norm, goodness, 0, theta);
    });
    test(`layer gradient with peer normalisation matches finite differences: ${norm}, ${goodness}`, () => {
      checkGradients(norm, goodness, 0.03 * 10, theta);
    });
  }
}

test('layer forward is exact on dyadic inputs (rms, sum)', () => {
  // One row x = [2, 0, 0, 0]: mean square 1, so x̂ = x / (1 + 1e-8) rounds to x in float32.
  const D = 4, H = 2, N = 1;
  const layer: LayerParams<Float32Array> = {
    D, H,
    W: Float32Array.from([0.5, -1, 0.25, 0, 0, 0, 0, 0]), b: Float32Array.from([0.25, 0.5]),
    dW: new Float32Array(D * H), db: new Float32Array(H), peerMean: new Float32Array(H),
  };
  const acts: LayerActs<Float32Array> = {
    xhat: new Float32Array(D), y: new Float32Array(H), G: new Float32Array(1), dLdG: new Float32Array(1), dZ: new Float32Array(H),
  };
  const math: LayerMath = { norm: 'rms', goodness: 'sum', threshold: null, peerNorm: 0, peerMomentum: 0.9 };
  layerForward({ math, mm: (c, a, b) => matmulNaive(c, a, b) }, acts, Float32Array.from([2, 0, 0, 0]), layer, N);
  assert.deepStrictEqual(acts.xhat, Float32Array.from([2, 0, 0, 0]));
  // z = [2·0.5 + 0.25, 2·(−1) + 0.5] = [1.25, −1.5];  y = [1.25, 0];  G = 1.5625
  assert.deepStrictEqual(acts.y, Float32Array.from([1.25, 0]));
  assert.deepStrictEqual(acts.G, Float32Array.from([1.5625]));
});
