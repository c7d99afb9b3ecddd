// A short fingerprint of float arrays, for golden tests and logs: FNV-1a (32-bit) over the
// little-endian bytes, so two arrays agree on the checksum only if they agree to the bit
// (with overwhelming probability). Not cryptographic.

export function fnv1a(arrays: readonly (Float32Array | Int32Array | Uint8Array)[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) {
      h ^= bytes[i]!;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h.toString(16).padStart(8, '0');
}
