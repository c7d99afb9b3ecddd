// Write docs/OPTIONS.md from the table of fields (src/config/fields.ts) and the presets, so the
// options page says what `npx tsx scripts/train.ts --help` says. Run it after adding or changing
// an option; test/options-doc.test.ts fails while the page is out of date.
//
//   npx tsx scripts/make-options-doc.ts          # rewrite docs/OPTIONS.md
//   npx tsx scripts/make-options-doc.ts --check  # exit 1 if docs/OPTIONS.md is out of date
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from '../apps/cli/errors.ts';
import { helpText, parseFlags, type FlagSpec } from '../apps/cli/flags.ts';
import { optionsMarkdown } from '../apps/cli/options-doc.ts';
import { writeFileAtomic } from '../src/io/atomic-write.ts';

const FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'OPTIONS.md');

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  check: { field: null, kind: 'boolean', help: 'do not write; exit 1 if docs/OPTIONS.md differs from the table' },
};

await runMain(() => {
  const v = parseFlags(process.argv.slice(2), FLAGS);
  if (v.help) {
    process.stdout.write(helpText('Usage: npx tsx scripts/make-options-doc.ts [--check]', FLAGS));
    return;
  }
  const text = optionsMarkdown();
  const current = existsSync(FILE) && readFileSync(FILE, 'utf8') === text;
  if (v.check) {
    console.log(current ? `${FILE} is current` : `${FILE} is out of date: run npx tsx scripts/make-options-doc.ts`);
    process.exitCode = current ? 0 : 1;
    return;
  }
  writeFileAtomic(FILE, text);
  console.log(`wrote ${FILE}${current ? ' (unchanged)' : ''}`);
});
