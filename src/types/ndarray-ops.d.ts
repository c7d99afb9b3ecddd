// The part of ndarray-ops (no types of its own) that this project calls.
declare module 'ndarray-ops' {
  import type { NdArray } from 'ndarray';
  /** dest[i] = src[i] over two arrays of the same shape, whatever their strides and offsets. */
  export function assign(dest: NdArray, src: NdArray): NdArray;
}
