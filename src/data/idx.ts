// IDX files read from disk, plain or gzip-compressed, and validated (the format itself: idx-bytes.ts).
// Every problem with a file (missing, unreadable, corrupt gzip, wrong magic, wrong size) is a
// UserError with a one-line message naming the path.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors.ts';
import { isGzip, parseIdx, type IdxArray, type IdxRank } from './idx-bytes.ts';

export { isGzip, parseIdx, type IdxArray, type IdxRank } from './idx-bytes.ts';

/** The raw bytes of `path`, gunzipped if they start with the gzip magic (then `gzipped` is true). */
export function readMaybeGzip(path: string): { bytes: Uint8Array; gzipped: boolean } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path}: file not found`);
    if (code === 'EISDIR') throw new UserError(`${path}: is a directory, expected an IDX file`);
    throw new UserError(`${path}: cannot read: ${code ?? (err as Error).message}`);
  }
  if (!isGzip(bytes)) return { bytes, gzipped: false };
  try {
    return { bytes: gunzipSync(bytes), gzipped: true };
  } catch (err) {
    const reason = ((err as Error).message || 'unknown error').split('\n')[0];
    throw new UserError(`${path}: corrupt gzip data (${bytes.length} compressed bytes): ${reason}`);
  }
}

/** Read, decompress if gzipped, and validate the IDX file at `path`. */
export function readIdx(path: string, rank: IdxRank): IdxArray {
  const { bytes, gzipped } = readMaybeGzip(path);
  return parseIdx(bytes, rank, path, gzipped);
}

/** An images file: uint8 (count, rows, cols). */
export function readIdxImages(path: string): { data: Uint8Array; count: number; rows: number; cols: number } {
  const { data, dims } = readIdx(path, 3);
  return { data, count: dims[0]!, rows: dims[1]!, cols: dims[2]! };
}

/** A labels file: uint8 (count). */
export function readIdxLabels(path: string): { data: Uint8Array; count: number } {
  const { data, dims } = readIdx(path, 1);
  return { data, count: dims[0]! };
}
