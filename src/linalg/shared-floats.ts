// Typed arrays over a SharedArrayBuffer, so that the worker threads of the wasm backend can run
// row jobs on them (row-runner.ts). Where the runtime has no SharedArrayBuffer (a page that is
// not cross-origin isolated) they are ordinary arrays and the jobs stay on the calling thread.
// To the code that uses them they are plain Float32Array / Float64Array, zero-filled.

/** `bytes` zero bytes: a SharedArrayBuffer where the runtime has one, else an ArrayBuffer. */
export function sharedBytes(bytes: number): ArrayBuffer | SharedArrayBuffer {
  return typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/** n zeros, float32, in shared memory where available. */
export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(sharedBytes(4 * n));
}

/** n zeros, float64, in shared memory where available. */
export function sharedFloat64(n: number): Float64Array {
  return new Float64Array(sharedBytes(8 * n));
}

/** n zeros, int32, in shared memory where available. */
export function sharedInt32(n: number): Int32Array {
  return new Int32Array(sharedBytes(4 * n));
}

/** n zeros, bytes, in shared memory where available. */
export function sharedUint8(n: number): Uint8Array {
  return new Uint8Array(sharedBytes(n));
}

/** A copy of `a` in shared memory. */
export function sharedCopy32(a: Float32Array): Float32Array {
  const out = sharedFloat32(a.length);
  out.set(a);
  return out;
}
