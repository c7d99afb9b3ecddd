// Safetensors files on disk: read and decode, or encode and write atomically. The format itself
// (encode, decode, checks) is safetensors-bytes.ts, shared with the browser.
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { fsReason, writeFileAtomic } from './atomic-write.ts';
import { decodeSafetensors, encodeSafetensors, type SafetensorsFile, type TensorToWrite } from './safetensors-bytes.ts';

export * from './safetensors-bytes.ts';

/** Read and decode a safetensors file; a missing, unreadable or invalid file is a UserError naming it. */
export function readSafetensors(path: string): SafetensorsFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UserError(`${path}: cannot read file (${fsReason(err)})`);
  }
  return decodeSafetensors(bytes, path);
}

/**
 * Write tensors and metadata to `path` atomically: the bytes go to a temporary file in the same
 * directory, are flushed to disk, then renamed over `path`, so a crash leaves the old file or the
 * new one, never half of one. A failure to write is a UserError naming `path`.
 */
export function writeSafetensors(
  path: string,
  tensors: readonly TensorToWrite[],
  metadata: Readonly<Record<string, string>> = {},
): void {
  const bytes = encodeSafetensors(tensors, metadata); // bad tensors throw before the disk is touched
  writeFileAtomic(path, bytes);
}

