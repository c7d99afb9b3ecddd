// The safetensors format (huggingface/safetensors): named F32 / I32 tensors plus string metadata.
// Layout: u64 little-endian N; N bytes of UTF-8 JSON header, padded with spaces to a multiple of 8;
// then the data section, each tensor's values little-endian at [begin, end) of its data_offsets.
// Writing is deterministic: `__metadata__` first (omitted when empty, keys sorted), then tensors in
// sorted-name order, in the header and in the data. Reading checks everything and reports any
// problem as a one-line UserError naming the file. No other dtypes, no memory mapping, no streaming.
// Bytes in, bytes out (a browser uses it as it is); reading and writing files: safetensors.ts.
import { UserError } from '../errors.ts';

export type SafetensorsDtype = 'F32' | 'I32';

/** The dtypes this module reads and writes. */
export const SAFETENSORS_DTYPES: readonly SafetensorsDtype[] = ['F32', 'I32'];

/** Bytes per value of every supported dtype (F32 and I32 are both 4 bytes). */
const BYTES_PER_VALUE = 4;

/** The header is padded so that the data section starts at a multiple of this many bytes. */
const HEADER_ALIGN = 8;

/** The reserved header key holding the string-to-string metadata. */
const METADATA_KEY = '__metadata__';

/** The three fields of a tensor's header entry, and no others. */
const TENSOR_FIELDS = ['dtype', 'shape', 'data_offsets'];

/** A tensor to write: the dtype follows from the array type (Float32Array → F32, Int32Array → I32). */
export interface TensorToWrite {
  name: string;
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

/** A tensor read back; test `dtype` to narrow `data`. */
export type StoredTensor =
  | { dtype: 'F32'; shape: number[]; data: Float32Array }
  | { dtype: 'I32'; shape: number[]; data: Int32Array };

/** A decoded file. `source` is the name used in error messages (the path, for a read file). */
export interface SafetensorsFile {
  source: string;
  tensors: Map<string, StoredTensor>;
  metadata: Record<string, string>;
}

/** Plain code-unit order, the same on every machine (no locale). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True for a non-negative safe integer (a dimension, a count, a byte offset). */
function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** True for a JSON object (not null, not an array). */
function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Product of the dimensions (1 for a scalar), or -1 if it is not a safe integer. */
function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return Number.isSafeInteger(n) ? n : -1;
}

/** A value from a header, shortened and on one line, for an error message. */
function quote(x: unknown): string {
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Encode tensors and metadata as safetensors bytes. Pure; the same input gives the same bytes. */
export function encodeSafetensors(
  tensors: readonly TensorToWrite[],
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const sorted = [...tensors].sort((a, b) => compareStrings(a.name, b.name));
  for (let i = 0; i < sorted.length; i++) {
    const { name, shape, data } = sorted[i]!;
    if (name === METADATA_KEY) throw new Error(`encodeSafetensors: "${METADATA_KEY}" is reserved, not a tensor name`);
    if (i > 0 && sorted[i - 1]!.name === name) throw new Error(`encodeSafetensors: tensor name ${quote(name)} is used twice`);
    if (!(data instanceof Float32Array) && !(data instanceof Int32Array)) {
      throw new Error(`encodeSafetensors: tensor ${quote(name)} is not a Float32Array or Int32Array`);
    }
    if (!shape.every(isCount) || numel(shape) !== data.length) {
      throw new Error(`encodeSafetensors: tensor ${quote(name)} has shape [${shape.join(', ')}] but ${data.length} values`);
    }
  }
  const metaKeys = Object.keys(metadata).sort(compareStrings);
  for (const key of metaKeys) {
    if (typeof metadata[key] !== 'string') throw new Error(`encodeSafetensors: metadata ${quote(key)} is not a string`);
  }

  // The header JSON, written by hand so that its key order is the documented one (a JS object
  // would move integer-like keys such as "0" to the front).
  const parts: string[] = [];
  if (metaKeys.length > 0) {
    const fields = metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`);
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${fields.join(',')}}`);
  }
  let dataLen = 0;
  for (const { name, shape, data } of sorted) {
    const dtype: SafetensorsDtype = data instanceof Float32Array ? 'F32' : 'I32';
    const begin = dataLen;
    dataLen += data.length * BYTES_PER_VALUE;
    parts.push(`${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${shape.join(',')}],"data_offsets":[${begin},${dataLen}]}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.length / HEADER_ALIGN) * HEADER_ALIGN;

  const out = new Uint8Array(8 + headerLen + dataLen);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true); // N, u64 little-endian
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen); // pad the header with spaces
  let pos = 8 + headerLen;
  for (const { data } of sorted) {
    if (data instanceof Float32Array) {
      for (let i = 0; i < data.length; i++) view.setFloat32(pos + i * BYTES_PER_VALUE, data[i]!, true);
    } else {
      for (let i = 0; i < data.length; i++) view.setInt32(pos + i * BYTES_PER_VALUE, data[i]!, true);
    }
    pos += data.length * BYTES_PER_VALUE;
  }
  return out;
}

/** Decode safetensors bytes; any problem is a UserError "<source>: ...". The tensors are copies. */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  const notSafetensors = (what: string): UserError => new UserError(`${source}: not a safetensors file: ${what}`);
  const corrupt = (what: string): UserError => new UserError(`${source}: corrupt safetensors file: ${what}`);
  const size = bytes.length;
  if (size < 8) throw notSafetensors(`${size} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  // Header: length, bytes, UTF-8, JSON object.
  const headerLen64 = view.getBigUint64(0, true);
  if (headerLen64 > BigInt(size - 8)) {
    throw notSafetensors(`header length ${headerLen64} exceeds file size ${size} (8 + header length > file size)`);
  }
  const headerLen = Number(headerLen64);
  if (headerLen === 0 || bytes[8] !== 0x7b) throw notSafetensors('header does not start with "{"');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    throw notSafetensors('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 120);
    throw notSafetensors(`header is not valid JSON (${reason})`);
  }
  if (!isObject(header)) throw notSafetensors('header is not a JSON object');

  // Entries: metadata, then each tensor's dtype, shape and offsets, checked against each other.
  const dataStart = 8 + headerLen;
  const dataLen = size - dataStart;
  let metadata: Record<string, string> = {};
  const tensors = new Map<string, StoredTensor>();
  const ranges: { name: string; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (!isObject(info)) throw corrupt(`${METADATA_KEY} is not an object`);
      for (const [key, value] of Object.entries(info)) {
        if (typeof value !== 'string') throw corrupt(`${METADATA_KEY} ${quote(key)} is ${quote(value)}, not a string`);
      }
      metadata = Object.fromEntries(Object.entries(info)) as Record<string, string>;
      continue;
    }
    const where = `tensor ${quote(name)}`;
    if (!isObject(info)) throw corrupt(`${where}: entry is ${quote(info)}, not an object`);
    for (const key of Object.keys(info)) {
      if (!TENSOR_FIELDS.includes(key)) throw corrupt(`${where}: unknown field ${quote(key)}`);
    }
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string') throw corrupt(`${where}: dtype is ${quote(dtype)}, not a string`);
    if (!(SAFETENSORS_DTYPES as readonly string[]).includes(dtype)) {
      throw new UserError(
        `${source}: ${where} has dtype ${quote(dtype)}, which this reader does not support (only ${SAFETENSORS_DTYPES.join(', ')})`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw corrupt(`${where}: shape is ${quote(shape)}, not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      throw corrupt(`${where}: data_offsets is ${quote(offsets)}, not [begin, end] in bytes`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) throw corrupt(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) {
      throw corrupt(`${where}: data_offsets [${begin}, ${end}] run past the ${dataLen}-byte data section (truncated file?)`);
    }
    const count = numel(shape);
    if (count < 0 || end - begin !== count * BYTES_PER_VALUE) {
      throw corrupt(
        `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes ` +
          `but shape [${shape.join(', ')}] of ${dtype} needs ${count * BYTES_PER_VALUE}`,
      );
    }
    const at = dataStart + begin;
    if (dtype === 'F32') {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + i * BYTES_PER_VALUE, true);
      tensors.set(name, { dtype, shape: [...shape], data });
    } else {
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(at + i * BYTES_PER_VALUE, true);
      tensors.set(name, { dtype: 'I32', shape: [...shape], data });
    }
    ranges.push({ name, begin, end });
  }

  // The tensors must tile the data section exactly: no overlap, no gap, nothing after the last.
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = '';
  for (const { name, begin, end } of ranges) {
    if (begin < cursor) throw corrupt(`tensors ${quote(previous)} and ${quote(name)} overlap in the data section`);
    if (begin > cursor) throw corrupt(`data bytes [${cursor}, ${begin}) belong to no tensor`);
    cursor = end;
    previous = name;
  }
  if (cursor !== dataLen) throw corrupt(`${dataLen - cursor} bytes after the last tensor belong to no tensor`);
  return { source, tensors, metadata };
}

/**
 * The F32 tensor `name` of a decoded file, checked: a UserError naming the file if it is missing,
 * not F32, or (when `shape` is given) of another shape.
 */
export function getF32(file: SafetensorsFile, name: string, shape?: readonly number[]): Float32Array {
  const t = file.tensors.get(name);
  if (t === undefined) throw new UserError(`${file.source}: no tensor ${quote(name)}`);
  if (t.dtype !== 'F32') throw new UserError(`${file.source}: tensor ${quote(name)} is ${t.dtype}, expected F32`);
  if (shape !== undefined && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
    throw new UserError(
      `${file.source}: tensor ${quote(name)} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`,
    );
  }
  return t.data;
}
