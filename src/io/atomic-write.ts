// Writing a file so that a crash, a kill or a full disk leaves either the old file or the new one,
// never half of one: the bytes go to a temporary file in the same folder, are flushed to disk,
// then renamed over the target. A failure is a UserError naming the path; the temporary file is
// removed. Used for models, reports and anything else a run keeps.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.ts';

/** The first clause of a file-system error's message, on one line. */
export function fsReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split(',')[0]!.replace(/\s+/g, ' ');
}

/** The temporary file writeFileAtomic uses for `path` in this process. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Write `bytes` (or text) to `path` atomically. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = temporaryPath(path);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created
    }
    throw new UserError(`${path}: cannot write file (${fsReason(err)})`);
  }
}
