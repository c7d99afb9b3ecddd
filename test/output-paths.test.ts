// Output paths are checked before any work (apps/cli/output-paths.ts): a file's folder must exist,
// a folder (--checkpoint, show-hybrids --out) is created with its parents; anything that cannot be
// written is a one-line UserError naming the flag, and the check leaves no probe file behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkOutputDir, checkOutputFile } from '../apps/cli/output-paths.ts';
import { tempDir } from './idx-fixtures.ts';
import { assertUserError } from './helpers.ts';

test('checkOutputDir creates the folder with its parents; a file in the way is refused', () => {
  const { dir, cleanup } = tempDir('outpaths');
  try {
    const ck = join(dir, 'a', 'b', 'ck');
    checkOutputDir('checkpoint', ck);
    assert.ok(statSync(ck).isDirectory());
    assert.deepStrictEqual(readdirSync(ck), [], 'no probe file left');
    writeFileSync(join(dir, 'file'), 'x');
    assertUserError(() => checkOutputDir('checkpoint', join(dir, 'file')), ['--checkpoint', 'file: cannot create the folder (EEXIST)']);
    assertUserError(() => checkOutputDir('checkpoint', join(dir, 'file', 'sub')), ['--checkpoint', 'cannot create the folder (ENOTDIR)']);
    assertUserError(
      () => checkOutputFile('save', join(dir, 'missing', 'm.safetensors')), ['--save', 'the folder', 'missing does not exist (ENOENT)'],
    );
    assertUserError(() => checkOutputFile('out', ck), ['--out', 'is a folder, expected a file name']);
    checkOutputFile('save', join(dir, 'm.safetensors'));
    assert.deepStrictEqual(readdirSync(dir).sort(), ['a', 'file']);
  } finally {
    cleanup();
  }
});
