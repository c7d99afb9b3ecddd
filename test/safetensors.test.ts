// Tests for src/io/safetensors.ts: exact bytes of tiny files (length prefix, header JSON in the
// documented order, space padding to 8, little-endian data), round trips of F32 / I32 tensors and
// metadata through a real file, and a one-line UserError naming the file for every kind of broken
// input (truncated, garbage, missing, bad JSON, bad dtype, inconsistent offsets, holes, overlaps).
// Files go to a fresh temporary directory, deleted at the end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeSafetensors,
  encodeSafetensors,
  getF32,
  readSafetensors,
  writeSafetensors,
  type TensorToWrite,
} from '../src/io/safetensors.ts';
import { assertUserError } from './helpers.ts';


/** Bytes of a file with the given header text (unpadded) and data bytes: u64 LE length, header, data. */
function craft(header: string, data: number[] = []): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** The ASCII bytes of a string. */
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

describe('encodeSafetensors', () => {
  test('exact bytes: sorted names, metadata first, spaces to a multiple of 8, little-endian data', () => {
    // Given in the order b, a; written in the order a, b.
    const bytes = encodeSafetensors(
      [
        { name: 'b', shape: [2], data: Float32Array.from([1, -2]) },
        { name: 'a', shape: [1], data: Float32Array.from([0.5]) },
      ],
      { format: 'pt' },
    );
    const header =
      '{"__metadata__":{"format":"pt"},' +
      '"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
      '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}';
    assert.equal(header.length, 139); // padded with 5 spaces to N = 144 = 0x90
    const expected = [
      ...[0x90, 0, 0, 0, 0, 0, 0, 0], // N = 144, u64 little-endian
      ...ascii(header),
      ...ascii('     '),
      ...[0x00, 0x00, 0x00, 0x3f], // a[0] = 0.5 = 0x3F000000
      ...[0x00, 0x00, 0x80, 0x3f], // b[0] = 1   = 0x3F800000
      ...[0x00, 0x00, 0x00, 0xc0], // b[1] = -2  = 0xC0000000
    ];
    assert.equal(expected.length, 8 + 144 + 12);
    assert.deepStrictEqual(bytes, Uint8Array.from(expected));
  });

  test('exact bytes: an I32 scalar, no metadata key when metadata is empty', () => {
    const bytes = encodeSafetensors([{ name: 'n', shape: [], data: Int32Array.from([-2]) }], {});
    const header = '{"n":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}';
    assert.equal(header.length, 53); // padded with 3 spaces to N = 56 = 0x38
    const expected = [...[0x38, 0, 0, 0, 0, 0, 0, 0], ...ascii(header), ...ascii('   '), ...[0xfe, 0xff, 0xff, 0xff]];
    assert.deepStrictEqual(bytes, Uint8Array.from(expected));
  });

  test('the same tensors in any order give the same bytes; integer-like names keep string order', () => {
    const t: TensorToWrite[] = [
      { name: '10', shape: [1], data: Float32Array.from([1]) },
      { name: '2', shape: [1], data: Float32Array.from([2]) },
      { name: 'w', shape: [2, 1], data: Float32Array.from([3, 4]) },
    ];
    const meta = { z: 'last', a: 'first' };
    const one = encodeSafetensors(t, meta);
    const two = encodeSafetensors([t[2]!, t[0]!, t[1]!], { a: 'first', z: 'last' });
    assert.deepStrictEqual(one, two);
    const text = new TextDecoder().decode(one);
    const at = (key: string): number => text.indexOf(`"${key}":`);
    assert.ok(at('a') < at('z') && at('z') < at('10') && at('10') < at('2') && at('2') < at('w'), text);
  });

  test('bad input is a programming error (plain Error), not a UserError', () => {
    const f = Float32Array.from([1, 2]);
    assert.throws(() => encodeSafetensors([{ name: 'w', shape: [3], data: f }]), /shape \[3\] but 2 values/);
    assert.throws(
      () => encodeSafetensors([{ name: 'w', shape: [2], data: f }, { name: 'w', shape: [2], data: f }]),
      /used twice/,
    );
    assert.throws(() => encodeSafetensors([{ name: '__metadata__', shape: [2], data: f }]), /reserved/);
  });
});

describe('read and write files', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ff-safetensors-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('round trip of F32 and I32 tensors and metadata', () => {
    const path = join(dir, 'model.safetensors');
    const w = Float32Array.from([0.1, -0, 3.5e-30, -1e30, Infinity, 7]);
    const steps = Int32Array.from([0, -1, 2147483647, -2147483648]);
    const metadata = { config: '{"layers":[784,500]}', seed: '42', note: 'é ü, spaces and "quotes"' };
    writeSafetensors(path, [
      { name: 'layer0.W', shape: [2, 3], data: w },
      { name: 'empty', shape: [0, 5], data: new Float32Array(0) },
      { name: 'steps', shape: [4], data: steps },
    ], metadata);
    assert.deepStrictEqual(readdirSync(dir), ['model.safetensors'], 'no temporary file left behind');

    const file = readSafetensors(path);
    assert.equal(file.source, path);
    assert.deepStrictEqual(file.metadata, metadata);
    assert.deepStrictEqual([...file.tensors.keys()].sort(), ['empty', 'layer0.W', 'steps']);
    assert.deepStrictEqual(file.tensors.get('layer0.W'), { dtype: 'F32', shape: [2, 3], data: w });
    assert.deepStrictEqual(file.tensors.get('empty'), { dtype: 'F32', shape: [0, 5], data: new Float32Array(0) });
    assert.deepStrictEqual(file.tensors.get('steps'), { dtype: 'I32', shape: [4], data: steps });
    assert.deepStrictEqual(getF32(file, 'layer0.W', [2, 3]), w);
    assertUserError(() => getF32(file, 'layer1.W'), [path, 'no tensor "layer1.W"']);
    assertUserError(() => getF32(file, 'steps'), [path, '"steps" is I32, expected F32']);
    assertUserError(() => getF32(file, 'layer0.W', [3, 2]), [path, 'shape [2, 3], expected [3, 2]']);
  });

  test('writing replaces an existing file in one piece', () => {
    const path = join(dir, 'replace.safetensors');
    writeSafetensors(path, [{ name: 'x', shape: [1], data: Float32Array.from([1]) }], {});
    writeSafetensors(path, [{ name: 'x', shape: [2], data: Float32Array.from([2, 3]) }], { v: '2' });
    const file = readSafetensors(path);
    assert.deepStrictEqual(getF32(file, 'x'), Float32Array.from([2, 3]));
    assert.deepStrictEqual(file.metadata, { v: '2' });
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary file left behind');
  });

  test('a missing file, or a file in a missing directory, is a UserError naming the path', () => {
    const missing = join(dir, 'missing.safetensors');
    assertUserError(() => readSafetensors(missing), [missing, 'cannot read file', 'ENOENT']);
    assertUserError(() => readSafetensors(dir), [dir, 'cannot read file', 'EISDIR']);
    const nowhere = join(dir, 'no-such-dir', 'model.safetensors');
    assertUserError(() => writeSafetensors(nowhere, [{ name: 'x', shape: [1], data: new Float32Array(1) }], {}), [
      nowhere,
      'cannot write file',
    ]);
  });

  test('a truncated file is a UserError naming the file', () => {
    const path = join(dir, 'truncated.safetensors');
    const good = encodeSafetensors([{ name: 'w', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }], {});
    writeFileSync(path, good.subarray(0, good.length - 4)); // last value cut off
    assertUserError(() => readSafetensors(path), [path, 'tensor "w"', 'data_offsets [0, 16]', '12-byte data section', 'truncated']);
    writeFileSync(path, good.subarray(0, 20)); // cut inside the header
    assertUserError(() => readSafetensors(path), [path, 'not a safetensors file', 'exceeds file size 20']);
    writeFileSync(path, good.subarray(0, 5)); // cut inside the length
    assertUserError(() => readSafetensors(path), [path, '5 bytes, too short']);
  });

  test('a garbage file is a UserError naming the file', () => {
    const path = join(dir, 'garbage.safetensors');
    writeFileSync(path, 'this is not a model at all\n');
    // "this is " as a u64 little-endian is 0x2073692073696874 = 2338328219631577204.
    assertUserError(() => readSafetensors(path), [
      path,
      'not a safetensors file: header length 2338328219631577204 exceeds file size 27',
    ]);
  });
});

describe('decodeSafetensors rejects', () => {
  const F = 'x.safetensors';
  const entry = (name: string, fields: string): string => `"${name}":{${fields}}`;
  const w = (offsets: string, shape = '[2]', dtype = 'F32'): string =>
    entry('w', `"dtype":"${dtype}","shape":${shape},"data_offsets":${offsets}`);
  const eight = [0, 0, 128, 63, 0, 0, 0, 64]; // 1, 2 as F32 little-endian

  test('a header that is not a JSON object', () => {
    assertUserError(() => decodeSafetensors(craft('[1,2]'), F), [F, 'header does not start with "{"']);
    assertUserError(() => decodeSafetensors(craft('{"w": '), F), [F, 'header is not valid JSON']);
    assertUserError(() => decodeSafetensors(craft('{\n"w"\n:\n}'), F), [F, 'header is not valid JSON']);
    const badUtf8 = craft('{"w":1}');
    badUtf8[10] = 0xff;
    assertUserError(() => decodeSafetensors(badUtf8, F), [F, 'header is not valid UTF-8']);
    assertUserError(() => decodeSafetensors(craft(''), F), [F, 'header does not start with "{"']);
  });

  test('an unknown dtype, a bad shape, bad offsets', () => {
    assertUserError(() => decodeSafetensors(craft(`{${w('[0,8]', '[2]', 'F16')}}`, eight), F), [
      F,
      'tensor "w" has dtype "F16", which this reader does not support (only F32, I32)',
    ]);
    assertUserError(() => decodeSafetensors(craft(`{${w('[0,8]', '[-2]')}}`, eight), F), [F, 'shape is [-2]']);
    assertUserError(() => decodeSafetensors(craft(`{${w('[0,8]', '[2.5]')}}`, eight), F), [F, 'shape is [2.5]']);
    assertUserError(() => decodeSafetensors(craft(`{${w('[8]')}}`, eight), F), [F, 'data_offsets is [8]']);
    assertUserError(() => decodeSafetensors(craft(`{${w('[8,0]')}}`, eight), F), [F, 'end before they begin']);
    assertUserError(() => decodeSafetensors(craft(`{${w('[0,8]', '[3]')}}`, eight), F), [
      F,
      'data_offsets [0, 8] hold 8 bytes but shape [3] of F32 needs 12',
    ]);
    assertUserError(() => decodeSafetensors(craft(`{${entry('w', '"dtype":"F32","shape":[2]')}}`, eight), F), [
      F,
      'data_offsets is undefined',
    ]);
    assertUserError(
      () => decodeSafetensors(craft(`{${entry('w', '"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1')}}`, eight), F),
      [F, 'unknown field "x"'],
    );
    assertUserError(() => decodeSafetensors(craft(`{"__metadata__":{"a":1},${w('[0,8]')}}`, eight), F), [
      F,
      '__metadata__ "a" is 1, not a string',
    ]);
  });

  test('holes, overlaps and trailing bytes in the data section', () => {
    const v = (name: string, offsets: string): string =>
      entry(name, `"dtype":"F32","shape":[1],"data_offsets":${offsets}`);
    assertUserError(() => decodeSafetensors(craft(`{${v('a', '[4,8]')}}`, eight), F), [F, 'data bytes [0, 4) belong to no tensor']);
    assertUserError(() => decodeSafetensors(craft(`{${v('a', '[0,4]')},${v('b', '[0,4]')}}`, eight), F), [
      F,
      'tensors "a" and "b" overlap',
    ]);
    assertUserError(() => decodeSafetensors(craft(`{${v('a', '[0,4]')}}`, eight), F), [F, '4 bytes after the last tensor']);
  });

  test('accepts a header without padding and reads it exactly', () => {
    const file = decodeSafetensors(craft(`{${w('[0,8]')}}`, eight), F);
    assert.deepStrictEqual(file.tensors.get('w'), { dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) });
    assert.deepStrictEqual(file.metadata, {});
  });
});
