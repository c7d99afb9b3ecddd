// Tier C, golden values: short seeded supervised runs (test/golden-cases.ts) on a few hundred
// MNIST images, on the js backend. Their first losses and a checksum of every weight are hard-coded
// below. They change only when the math, the order of random draws, or a kernel's summation order
// (matmul-blocked.ts block sizes KC = 256, NC = 512, tile 4×4) changes. To regenerate after such a
// deliberate change:   npx tsx scripts/make-golden.ts   and paste its lines here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runGolden, type GoldenValues } from './golden-cases.ts';

const GOLDEN: Record<string, GoldenValues> = {
  'adam-hard-rms-sum': {"firstLosses":[8.53466,4.15519,3.26972,2.45792,3.26602,3.01581],"weights":"00862f3e","testErrors":[0.715,0.605]},
  'sgd-random-rms-mean-peer': {"firstLosses":[0.995557,0.72574,2.00152,1.09403,1.04314,0.754267],"weights":"5566031f","testErrors":[0.905,0.79]},
  'unsupervised-hybrids': {"firstLosses":[6.49531,4.53938,2.70082,2.84398,2.01244,2.74565],"weights":"47960a59","testErrors":[null,0.615]},
  'recurrent-top-down': {"firstLosses":[8.83877,4.2829,3.13536,2.69996,2.64833,2.32517],"weights":"e77bbb15","testErrors":[0.85,0.67]},
  'greedy-reference-like': {"firstLosses":[1.12681,1.08619,0.991284,0.863846,0.743536,0.759468],"weights":"f9de2c64","testErrors":[0.835,0.86]},
};

for (const [name, expected] of Object.entries(GOLDEN)) {
  test(`golden run ${name} (js backend)`, () => {
    const got = runGolden(name, 'js');
    assert.deepStrictEqual(got.firstLosses, expected.firstLosses, `${name}: first losses`);
    assert.equal(got.weights, expected.weights, `${name}: weight checksum`);
    assert.deepStrictEqual(got.testErrors, expected.testErrors, `${name}: test errors`);
  });
}

// The wasm kernel sums each dot product in float32, in k order, with a separate multiply and add
// (no fused multiply-add), so its bits are the same on every machine and thread count; its golden
// values differ from the js backend's (float64 sums). Regenerate: npx tsx scripts/make-golden.ts --backend wasm
const GOLDEN_WASM: Record<string, GoldenValues> = {
  'adam-hard-rms-sum': {"firstLosses":[8.53466,4.15519,3.26972,2.45792,3.26602,3.01581],"weights":"555d68dd","testErrors":[0.715,0.605]},
};

for (const [name, expected] of Object.entries(GOLDEN_WASM)) {
  for (const threads of [1, 2]) {
    test(`golden run ${name} (wasm backend, ${threads} thread(s))`, () => {
      const got = runGolden(name, 'wasm', threads);
      assert.deepStrictEqual(got.firstLosses, expected.firstLosses, `${name}: first losses`);
      assert.equal(got.weights, expected.weights, `${name}: weight checksum`);
      assert.deepStrictEqual(got.testErrors, expected.testErrors, `${name}: test errors`);
    });
  }
}
