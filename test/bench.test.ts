// The benchmark's own measuring code where a wrong result would mislead silently: the SIMD128
// ceiling loop (apps/bench/simd-peak.ts) must really run n iterations of 6 multiply chains and 6 add
// chains, or the "ceiling" it reports would be a different loop's speed; and the ratios that
// read it must divide the right rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantiatePeak, PEAK_CHAINS, PEAK_FLOPS_PER_ITERATION } from '../apps/bench/simd-peak.ts';
import { computeRatios } from '../apps/bench/ratios.ts';
import type { Row } from '../apps/bench/summary.ts';
import { runNumpy, runTorch } from '../apps/bench/peers.ts';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

test('the SIMD128 ceiling loop runs n iterations of a ← a·m and b ← b + c in every chain', () => {
  // m = 2, c = 1, n = 3, start 1: each a = 2³ = 8, each b = 1 + 3 = 4; the sum of 6 + 6 chains is 72.
  const { peak, sum } = instantiatePeak(2, 1);
  peak(3);
  assert.deepStrictEqual(Array.from(sum()), [72, 72, 72, 72]);
  assert.equal(PEAK_CHAINS, 6);
  assert.equal(PEAK_FLOPS_PER_ITERATION, 48, '12 four-lane ops per iteration');
});

test('ratios: the kernel over the ceiling, the ceiling over numpy, and wasm-fma over wasm', () => {
  const row = (id: string, backend: string, median: number): Row => ({
    section: 'matmul', id, label: id, backend, threads: 1, unit: 'GFLOP/s', median, min: median, max: median,
    medianMs: 1, reps: 1, foreign: 0, waitedS: 0, tries: 1,
  });
  const ratios = computeRatios({
    matmul: [row('fwd2000', 'wasm', 40), row('fwd2000', 'wasm-fma', 50), row('simd-peak', 'simd128-peak', 48)], training: [],
    numpy: { engine: 'numpy', core: 'x', gflops: { '1t fwd 1000x2000 @ 2000x2000': 192 } }, torch: null, bigId: 'fwd2000', trainingRssKB: null,
  });
  const get = (id: string) => ratios.find((r) => r.id === id)!;
  assert.equal(get('wasm/ceiling').value, 40 / 48);
  assert.equal(get('ceiling/numpy').value, 0.25);
  assert.equal(get('wasm/numpy fwd2000 1t').value, 40 / 192);
  assert.equal(get('wasm/numpy fwd2000 1t').met, false, 'the 0.4× target is checked, not assumed');
  assert.equal(get('wasm-fma/wasm 1t').value, 50 / 40);
  assert.equal(get('wasm-fma/wasm 2t').value, null, 'not measured on 2 threads here');
});

test('peers: a missing python, a python without the module, or a missing script is "not installed", with one line', () => {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../scripts/peers');
  const noPython = runNumpy(dir, 'no-such-python3', 0, 1);
  assert.equal(noPython.status, 'not installed');
  assert.match(noPython.note, /no-such-python3 not found/);
  const noScript = runTorch(tmpdir(), 'python3', 0, [1], [784, 8], 4, 1);
  assert.equal(noScript.status, 'not installed');
  assert.match(noScript.note, /torch_ff\.py not found/);
  // A python without the module (or no python3 at all: exit 127 is the same status).
  const fake = mkdtempSync(join(tmpdir(), 'peers-'));
  writeFileSync(join(fake, 'np_matmul.py'), 'import no_such_module_of_this_test\n');
  const noModule = runNumpy(fake, 'python3', 0, 1);
  rmSync(fake, { recursive: true });
  assert.equal(noModule.status, 'not installed');
  assert.match(noModule.note, /no_such_module_of_this_test|python3 not found/);
  assert.equal(noScript.result, null);
});
