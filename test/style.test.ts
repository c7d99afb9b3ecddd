// Two limits on how the code reads, over every .ts and .js file of src/, apps/, scripts/ and test/:
// no line wider than 150 characters, no file longer than 400 lines. Tables of data are exempt by
// name (the table of fields, the presets), and nothing else: a file that grows past the limit is
// split by what it computes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceFiles } from './helpers.ts';

const REPO = join(import.meta.dirname, '..');
const MAX_WIDTH = 150;
const MAX_LINES = 400;
/** Tables, exempt from the width limit by name: one row per option or preset, each row's help on its own line. */
const WIDE_TABLES = new Set(['src/config/fields.ts', 'src/config/presets.ts']);

const sources = (dir: string): string[] => sourceFiles(REPO, dir);

test(`no line wider than ${MAX_WIDTH} characters and no file longer than ${MAX_LINES} lines`, () => {
  const files = ['src', 'apps', 'scripts', 'test'].flatMap(sources);
  assert.ok(files.length > 150, `read ${files.length} files`);
  const wide: string[] = [], long: string[] = [];
  for (const f of files) {
    const lines = readFileSync(join(REPO, f), 'utf8').split('\n');
    if (lines.length - 1 > MAX_LINES) long.push(`${f}: ${lines.length - 1} lines`);
    if (WIDE_TABLES.has(f)) continue;
    lines.forEach((l, i) => {
      if ([...l].length > MAX_WIDTH) wide.push(`${f}:${i + 1}: ${[...l].length} characters`);
    });
  }
  assert.deepStrictEqual(long, [], `files over ${MAX_LINES} lines:\n${long.join('\n')}`);
  assert.deepStrictEqual(wide, [], `lines over ${MAX_WIDTH} characters:\n${wide.slice(0, 40).join('\n')}`);
});
