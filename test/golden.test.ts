// Golden values: short seeded runs (test/golden-cases.ts) on a few hundred to a few thousand MNIST
// images, compared with test/golden.json value by value: a summary of every tensor, every epoch's
// per-layer statistics, the first losses, both test errors and the goodness error of each layer
// alone and of all layers. A failure lists what drifted, in the order the run computes it, with
// the size of each drift: the first line is where to look. The values change only when the
// math, the order of random draws or a kernel's summation order (matmul-blocked.ts block sizes
// KC = 256, NC = 512, tile 4×4) changes; after such a deliberate change regenerate them with
//   npx tsx scripts/make-golden.ts
// The wasm kernel sums each dot product in float32, in k order, with a separate multiply and add
// (no fused multiply-add), so its bits are the same on every machine and thread count; they
// differ from the js backend's (float64 sums).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { goldenDrift, runGolden, type GoldenFile, type GoldenValues } from './golden-cases.ts';

const GOLDEN = JSON.parse(readFileSync(new URL('./golden.json', import.meta.url), 'utf8')) as GoldenFile;

function check(name: string, got: GoldenValues, want: GoldenValues | undefined): void {
  assert.ok(want, `${name}: no golden values (run npx tsx scripts/make-golden.ts)`);
  const drift = goldenDrift(got, want);
  assert.ok(drift.length === 0,
    `${name}: ${drift.length} value(s) drifted from test/golden.json; first where the run computes it:\n  ${drift.join('\n  ')}`);
}

for (const name of Object.keys(GOLDEN.js)) {
  test(`golden run ${name} (js backend)`, () => check(name, runGolden(name, 'js'), GOLDEN.js[name]));
}

for (const name of Object.keys(GOLDEN.wasm)) {
  for (const threads of name === 'learns-skip-first' ? [2] : [1, 2]) { // the learning run once: it takes the longest
    test(`golden run ${name} (wasm backend, ${threads} thread(s))`, () => check(name, runGolden(name, 'wasm', threads), GOLDEN.wasm[name]));
  }
}

test('the run that must learn learns, and scoring without layer 1 is not scoring all layers', () => {
  const g = GOLDEN.wasm['learns-skip-first']!;
  // Chance is 0.9; 3 epochs on 4000 images reach far below it. Pinned above to the bit; bounded
  // here so that regenerating the goldens cannot quietly accept a run that stopped learning.
  assert.ok(g.testErrors[0]! < 0.3 && g.testErrors[1]! < 0.3, `test errors ${g.testErrors}`);
  assert.equal(g.errorByLayers!.L2, g.testErrors[0], 'skip-first scores layer 2 alone');
  assert.notEqual(g.errorByLayers!.all, g.testErrors[0], 'this case must tell scoring all layers from scoring the chosen ones');
});
