// Print the golden values of the short seeded runs in test/golden-cases.ts, in the form that
// test/golden.test.ts hard-codes. Run it after a deliberate change to the math or to a kernel's
// summation order (block sizes), check that the change explains the new numbers, then paste.
//
//   npx tsx scripts/make-golden.ts [--backend js|wasm]
import { runMain } from '../src/cli/errors.ts';
import { helpText, oneOf, parseFlags, type FlagSpec } from '../src/cli/flags.ts';
import { GOLDEN_CASES, runGolden } from '../test/golden-cases.ts';

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  backend: { field: null, kind: 'string', value: 'NAME', help: 'js (default) | wasm', parse: oneOf('js', 'wasm') },
};

await runMain(() => {
  const v = parseFlags(process.argv.slice(2), FLAGS);
  if (v.help) {
    process.stdout.write(helpText('Usage: npx tsx scripts/make-golden.ts [--backend js|wasm]', FLAGS));
    return;
  }
  const backend = (v.backend === undefined ? 'js' : FLAGS.backend!.parse!(v.backend as string, 'backend')) as 'js' | 'wasm';
  for (const name of Object.keys(GOLDEN_CASES)) {
    console.log(`  '${name}': ${JSON.stringify(runGolden(name, backend))},`);
  }
});
