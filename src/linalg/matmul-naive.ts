// The reference matrix product: c = a·b by the textbook triple loop over float32 storage, each
// dot product accumulated in a float64 (JS number) in k order and rounded to float32 once.
// Slow on purpose: this is what the blocked and wasm kernels are tested against (exactly on
// dyadic inputs, where every order of summation gives the same bits; to a float32 tolerance
// elsewhere, since the fast kernels sum in other orders and precisions).
import { checkMatmulShapes, type Floats, type MatOf } from './view.ts';

// c is (M, N), a is (M, K), b is (K, N); any strides and offsets (transposes are stride swaps).
// c is overwritten.
export function matmulNaive<T extends Floats>(c: MatOf<T>, a: MatOf<T>, b: MatOf<T>): void {
  checkMatmulShapes('matmulNaive', c, a, b);
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const ad = a.data, as0 = a.stride[0]!, as1 = a.stride[1]!, ao = a.offset;
  const bd = b.data, bs0 = b.stride[0]!, bs1 = b.stride[1]!, bo = b.offset;
  const cd = c.data, cs0 = c.stride[0]!, cs1 = c.stride[1]!, co = c.offset;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) {
        acc += ad[ao + i * as0 + k * as1]! * bd[bo + k * bs0 + j * bs1]!;
      }
      cd[co + i * cs0 + j * cs1] = acc;
    }
  }
}
