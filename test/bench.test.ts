// The benchmark's own measuring code where a wrong result would mislead silently: the SIMD128
// ceiling loop (src/bench/simd-peak.ts) must really run n iterations of 6 multiply chains and 6 add
// chains, or the "ceiling" it reports would be a different loop's speed; and the ratios that
// read it must divide the right rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantiatePeak, PEAK_CHAINS, PEAK_FLOPS_PER_ITERATION } from '../src/bench/simd-peak.ts';
import { computeRatios } from '../src/bench/ratios.ts';
import type { Row } from '../src/bench/summary.ts';

test('the SIMD128 ceiling loop runs n iterations of a ← a·m and b ← b + c in every chain', () => {
  // m = 2, c = 1, n = 3, start 1: each a = 2³ = 8, each b = 1 + 3 = 4; the sum of 6 + 6 chains is 72.
  const { peak, sum } = instantiatePeak(2, 1);
  peak(3);
  assert.deepStrictEqual(Array.from(sum()), [72, 72, 72, 72]);
  assert.equal(PEAK_CHAINS, 6);
  assert.equal(PEAK_FLOPS_PER_ITERATION, 48, '12 four-lane ops per iteration');
});

test('ratios: the kernel over the ceiling, and the ceiling over numpy', () => {
  const row = (id: string, backend: string, median: number): Row => ({
    section: 'matmul', id, label: id, backend, threads: 1, unit: 'GFLOP/s', median, min: median, max: median,
    medianMs: 1, reps: 1, foreign: 0, waitedS: 0, tries: 1,
  });
  const ratios = computeRatios({
    matmul: [row('fwd2000', 'wasm', 40), row('simd-peak', 'simd128-peak', 48)], training: [],
    numpy: { engine: 'numpy', core: 'x', gflops: { '1t fwd 1000x2000 @ 2000x2000': 192 } }, torch: null, bigId: 'fwd2000', trainingRssKB: null,
  });
  const get = (id: string) => ratios.find((r) => r.id === id)!;
  assert.equal(get('wasm/ceiling').value, 40 / 48);
  assert.equal(get('ceiling/numpy').value, 0.25);
  assert.equal(get('wasm/numpy fwd2000 1t').value, 40 / 192);
  assert.equal(get('wasm/numpy fwd2000 1t').met, false, 'the 0.4× target is checked, not assumed');
});
