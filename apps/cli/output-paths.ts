// Output paths are checked before any work starts, so a run that could not keep its result fails
// in its first second instead of after hours of training. A file's folder must already exist (a
// typo in it is more likely than a wish to create it); a folder (a report, a checkpoint) is
// created with its parents. Both are proven writable by writing and removing a probe file, which
// also holds where permission bits say nothing (root, read-only mounts).
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../../src/errors.ts';

const errText = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);

function probe(flag: string, path: string, dir: string): void {
  const p = join(dir, `.ff-write-probe-${process.pid}`);
  try {
    writeFileSync(p, '');
    rmSync(p, { force: true });
  } catch (err) {
    throw new UserError(`--${flag} ${path}: cannot write into ${dir} (${errText(err)})`);
  }
}

/** --flag PATH names a file to write: its folder exists and is writable, PATH is not a folder. */
export function checkOutputFile(flag: string, path: string): void {
  const dir = dirname(path);
  let st;
  try {
    st = statSync(dir);
  } catch (err) {
    throw new UserError(`--${flag} ${path}: the folder ${dir} does not exist (${errText(err)})`);
  }
  if (!st.isDirectory()) throw new UserError(`--${flag} ${path}: ${dir} is not a folder`);
  try {
    if (statSync(path).isDirectory()) throw new UserError(`--${flag} ${path}: is a folder, expected a file name`);
  } catch (err) {
    if (err instanceof UserError) throw err;
  }
  probe(flag, path, dir);
}

/** --flag DIR names a folder to write into: created (with its parents) if missing, then writable. */
export function checkOutputDir(flag: string, path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    throw new UserError(`--${flag} ${path}: cannot create the folder (${errText(err)})`);
  }
  if (!statSync(path).isDirectory()) throw new UserError(`--${flag} ${path}: is not a folder`);
  probe(flag, path, path);
}
