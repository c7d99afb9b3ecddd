// IDX bytes (the MNIST container), decoded and validated, wherever they came from (a file in
// Node, a fetch in a browser). Only unsigned-byte IDX is accepted: magic 0x00000801 (labels, 1-D)
// or 0x00000803 (images, 3-D), then one big-endian int32 per dimension, then exactly prod(dims)
// bytes, no more, no less. Every problem is a UserError with a one-line message naming the source.
// This file does not interpret the bytes (label ranges are checked in split.ts), never copies them.
import { UserError } from '../errors.ts';

/** A decoded IDX array: `data` is row-major over `dims` (a view into the file's bytes). */
export interface IdxArray {
  data: Uint8Array;
  dims: number[];
}

/** The two kinds of IDX file this project reads, by rank. */
export type IdxRank = 1 | 3;

const IDX_UBYTE = 0x08;
const MAGIC: Record<IdxRank, number> = { 1: 0x00000801, 3: 0x00000803 };
const WHAT: Record<IdxRank, string> = { 1: 'label', 3: 'pixel' };
const KIND: Record<IdxRank, string> = { 1: 'uint8 1-D labels', 3: 'uint8 3-D images' };

const hex32 = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;

/** True when `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decode and validate IDX `bytes` (already decompressed) of the given rank. `path` only names
 * the file in error messages; `gzipped` says the sizes quoted there are after decompression.
 * The result's data is a plain Uint8Array view into `bytes`, not a copy.
 */
export function parseIdx(bytes: Uint8Array, rank: IdxRank, path: string, gzipped = false): IdxArray {
  const after = gzipped ? ' (after gunzip)' : '';
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < 4) {
    throw new UserError(
      `${path}: too short for an IDX file: expected at least 4 magic bytes, file has ${bytes.length}${after}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== MAGIC[rank]) {
    const type = bytes[2]!;
    const ndim = bytes[3]!;
    let found = `found ${hex32(magic)}`;
    if (bytes[0] !== 0 || bytes[1] !== 0) found += ' (not an IDX file)';
    else if (type !== IDX_UBYTE) found += ` (element type 0x${type.toString(16).padStart(2, '0')}, not uint8 0x08)`;
    else found += ` (${ndim}-D, not ${rank}-D)`;
    throw new UserError(`${path}: wrong magic number: expected ${hex32(MAGIC[rank])} (${KIND[rank]}), ${found}`);
  }
  if (bytes.length < headerBytes) {
    throw new UserError(
      `${path}: truncated header: ${rank}-D IDX needs a ${headerBytes}-byte header, file has ${bytes.length} bytes${after}`,
    );
  }
  const dims: number[] = [];
  let expected = 1;
  for (let d = 0; d < rank; d++) {
    const n = view.getInt32(4 + 4 * d, false);
    if (n < 0) throw new UserError(`${path}: dimension ${d} in the header is negative (${n})`);
    dims.push(n);
    expected *= n;
  }
  const found = bytes.length - headerBytes;
  if (found !== expected) {
    const shape = dims.join('×');
    const says = rank === 1 ? `${shape} ${WHAT[rank]} bytes` : `${shape} = ${expected} ${WHAT[rank]} bytes`;
    const problem = found < expected ? 'truncated' : 'too long';
    throw new UserError(
      `${path}: ${problem}: header says ${says}, file has ${found} after the ${headerBytes}-byte header${after}`,
    );
  }
  // A plain Uint8Array, not a Buffer view: they print and deep-compare differently.
  return { data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, expected), dims };
}

