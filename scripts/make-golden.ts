// Regenerate test/golden.json, the values test/golden.test.ts compares short seeded runs with
// (test/golden-cases.ts: the runs, and what is pinned of each). Run it after a deliberate change
// to the math, to the order of random draws or to a kernel's summation order; it prints, per run,
// every value that moved (tensors first, in the order the run computes them), so you can check
// that the change explains them before committing the new file.
//
//   npx tsx scripts/make-golden.ts             # rewrite test/golden.json and list what moved
//   npx tsx scripts/make-golden.ts --dry-run   # only list what would move
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from '../apps/cli/errors.ts';
import { helpText, parseFlags, type FlagSpec } from '../apps/cli/flags.ts';
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import { GOLDEN_CASES, goldenBackends, goldenDrift, runGolden, type GoldenFile } from '../test/golden-cases.ts';

const FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'golden.json');

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  'dry-run': { field: null, kind: 'boolean', help: 'list what would change; do not write test/golden.json' },
};

await runMain(() => {
  const v = parseFlags(process.argv.slice(2), FLAGS);
  if (v.help) {
    process.stdout.write(helpText('Usage: npx tsx scripts/make-golden.ts [--dry-run]', FLAGS));
    return;
  }
  const old: GoldenFile | null = existsSync(FILE) ? (JSON.parse(readFileSync(FILE, 'utf8')) as GoldenFile) : null;
  const next: GoldenFile = { js: {}, wasm: {} };
  for (const backend of ['js', 'wasm'] as const) {
    for (const name of Object.keys(GOLDEN_CASES).filter((n) => goldenBackends(n).includes(backend))) {
      const got = runGolden(name, backend);
      next[backend][name] = got;
      const before = old?.[backend][name];
      const moved = before ? goldenDrift(got, before) : ['(new)'];
      const change = moved.length === 0 ? 'unchanged' : `${moved.length} value(s) moved`;
      console.log(`${backend} ${name}: test errors ${JSON.stringify(got.testErrors)}; ${change}`);
      for (const line of moved) console.log(`  ${line}`);
    }
  }
  if (!v['dry-run']) {
    writeFileAtomic(FILE, `${oneLinePerValue(JSON.stringify(next, null, 1))}\n`);
    console.log(`wrote ${FILE}`);
  }
});

/** Indented JSON with each innermost object or array (a tensor's summary, a layer's statistics) on one line. */
function oneLinePerValue(json: string): string {
  return json.replace(/[[{][^[\]{}]*[\]}]/g, (m) => m.replace(/\s*\n\s*/g, ' ').replace(/([[{]) /g, '$1').replace(/ ([\]}])/g, '$1'));
}
