// The readable reference of the sparse products (wasm/pack-sparse.ts and the sparse multiply phase
// of wasm/kernel-multiply.ts): c = a·b summed in float32 in k order over the non-zero a[i, k] only,
//   acc = 0;  for k < K with a[i, k] ≠ 0:  acc = f32(acc + f32(a[i, k] · b[k, j]))
// which is also the wasm kernel's dense sum to the bit: a skipped term is f32(0·b) = ±0, and adding
// ±0 leaves a float32 sum that is never −0 unchanged (b finite). Slow on purpose: a test compares the
// wasm products with it, exactly, on any inputs. Not the js backend's product (that sums in float64).
import { checkMatmulShapes, type Mat } from './view.ts';

// c is (M, N), a is (M, K), b is (K, N); any strides and offsets. c is overwritten.
export function matmulSparseReference(c: Mat, a: Mat, b: Mat): void {
  checkMatmulShapes('matmulSparseReference', c, a, b);
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const ad = a.data, as0 = a.stride[0]!, as1 = a.stride[1]!, ao = a.offset;
  const bd = b.data, bs0 = b.stride[0]!, bs1 = b.stride[1]!, bo = b.offset;
  const cd = c.data, cs0 = c.stride[0]!, cs1 = c.stride[1]!, co = c.offset;
  const f32 = Math.fround;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) {
        const x = ad[ao + i * as0 + k * as1]!;
        if (x !== 0) acc = f32(acc + f32(x * bd[bo + k * bs0 + j * bs1]!));
      }
      cd[co + i * cs0 + j * cs1] = acc;
    }
  }
}
