// The import graph runs one way: the applications (apps/) use the library (src/), the library never
// an application, a script or a test; inside src/ a folder imports only folders below it (linalg/
// nothing above it, config/ nothing of the model, ...). Every relative import of every source file
// is read (static imports and exports, import(), and new URL(…, import.meta.url) of a module) and
// checked against the ranks below; a wrong-way import fails with the file and what it imports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { sourceFiles } from './helpers.ts';

const REPO = join(import.meta.dirname, '..');

/**
 * The library's layers, lowest first: a file may import its own folder and any folder of a lower
 * rank. errors.ts and rng.ts are the ground; index.ts, the public entry, stands on everything.
 */
const RANK: Record<string, number> = {
  errors: 0, rng: 0, types: 0,
  linalg: 1, io: 1, data: 1,
  config: 2,
  optim: 3,
  ff: 4,
  run: 5,
  model: 6,
  trace: 7,
  index: 8,
};

/** src/ff/layer/layer.ts → 'ff'; src/errors.ts → 'errors'; apps/play/page.ts → 'apps'. */
function unitOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] !== 'src') return parts[0]!;
  return parts.length === 2 ? parts[1]!.replace(/\.(ts|js|d\.ts)$/, '').replace(/\.d$/, '') : parts[1]!;
}

const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every relative import of a file's text, as repository paths. */
function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPEC)) out.push(normalize(join(dirname(file), m[1]!)));
  return out;
}

/** The wrong-way imports among `files` (repository path → text): 'from → to (why)'. */
function wrongWay(files: Map<string, string>): string[] {
  const bad: string[] = [];
  for (const [file, text] of files) {
    const from = unitOf(file);
    for (const to of importsOf(file, text)) {
      const target = unitOf(to);
      if (file.startsWith('src/')) {
        if (!to.startsWith('src/')) bad.push(`${file} → ${to} (the library imports outside src/)`);
        else if (target !== from && !((RANK[target] ?? Infinity) < (RANK[from] ?? -Infinity))) {
          bad.push(`${file} → ${to} (${from} may import only lower layers, not ${target})`);
        }
      } else if (file.startsWith('apps/') && (to.startsWith('scripts/') || to.startsWith('test/'))) {
        bad.push(`${file} → ${to} (an application imports a script or a test)`);
      }
    }
  }
  return bad;
}

const sources = (dir: string): string[] => sourceFiles(REPO, dir);

test('every import runs the right way: apps use the library, the library never an app, each layer of src/ only lower ones', () => {
  const files = new Map([...sources('src'), ...sources('apps')].map((f) => [f, readFileSync(join(REPO, f), 'utf8')]));
  assert.ok(files.size > 100, `read ${files.size} files`);
  const bad = wrongWay(files);
  assert.deepStrictEqual(bad, [], `wrong-way imports:\n${bad.join('\n')}`);
  for (const f of files.keys()) if (f.startsWith('src/')) assert.ok(unitOf(f) in RANK, `${f}: its folder has no rank`);
});

test('the check finds a planted wrong-way import of each kind', () => {
  const planted = new Map([
    ['src/linalg/rows.ts', "import { lrAt } from '../optim/schedule.ts';"],
    ['src/model/model-format.ts', "import { TRAIN_FLAGS } from '../../apps/cli/flags.ts';"],
    ['src/config/fields.ts', "import type { Norm } from '../ff/layer/definitions.ts';"],
    ['apps/play/page.ts', "const x = await import('../../scripts/train.ts');"],
    ['src/ff/network.ts', "import { matView } from '../linalg/view.ts';\nconst url = new URL('../run/row-tasks.ts', import.meta.url);"],
  ]);
  const bad = wrongWay(planted);
  const expected = ['src/linalg/rows.ts', 'src/model/model-format.ts', 'src/config/fields.ts', 'apps/play/page.ts', 'src/ff/network.ts'];
  assert.deepStrictEqual(bad.map((b) => b.split(' → ')[0]), expected);
  assert.equal(relative(REPO, join(REPO, 'src')), 'src');
});
