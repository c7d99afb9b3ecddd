// Matrix views: the ndarray convention (data, shape, stride, offset) over Float32Array.
// A Mat is a 2-D ndarray: element (i, j) lives at data[offset + i*stride[0] + j*stride[1]].
// A transpose is a stride swap (`transposed(m)`), never a copy. This file allocates only in
// `zeros`; kernels elsewhere take views the caller owns.
import ndarray, { type NdArray } from 'ndarray';

export type Mat = NdArray<Float32Array>;
/** Float storage the reference kernels accept: float32 in training, float64 in gradient tests. */
export type Floats = Float32Array | Float64Array;
/** A 2-D view over either precision. */
export type MatOf<T extends Floats> = NdArray<T>;

/** A fresh zero-filled row-major (rows, cols) matrix. */
export function zeros(rows: number, cols: number): Mat {
  return ndarray(new Float32Array(rows * cols), [rows, cols]);
}

/** A row-major (rows, cols) view over existing storage, starting at `offset`. */
export function matView<T extends Floats = Float32Array>(data: T, rows: number, cols: number, offset = 0): NdArray<T> {
  if (offset + rows * cols > data.length) {
    throw new Error(`matView: (${rows}, ${cols}) at offset ${offset} does not fit in ${data.length} floats`);
  }
  return ndarray(data, [rows, cols], [cols, 1], offset);
}

/** The transpose as a view: shape and strides swapped, same storage. */
export function transposed<T extends Floats>(m: NdArray<T>): NdArray<T> {
  return m.transpose(1, 0);
}

/** The first `rows` rows of m, as a view. */
export function topRows(m: Mat, rows: number): Mat {
  return m.hi(rows, m.shape[1]!);
}

/** "(r, c)" for error messages. */
export function shapeOf(m: NdArray<Floats>): string {
  return `(${m.shape[0]}, ${m.shape[1]})`;
}

/** True when the view is plain row-major and dense (stride [cols, 1]). */
export function isRowMajor(m: Mat): boolean {
  return m.stride[1] === 1 && m.stride[0] === m.shape[1];
}

/** Throw unless c = a·b has consistent shapes: a (M, K), b (K, N), c (M, N). */
export function checkMatmulShapes(name: string, c: NdArray<Floats>, a: NdArray<Floats>, b: NdArray<Floats>): void {
  if (a.dimension !== 2 || b.dimension !== 2 || c.dimension !== 2) {
    throw new Error(`${name}: operands must be 2-D`);
  }
  const [M, K] = a.shape as [number, number];
  const [K2, N] = b.shape as [number, number];
  if (K !== K2 || c.shape[0] !== M || c.shape[1] !== N) {
    throw new Error(`${name}: c${shapeOf(c)} = a${shapeOf(a)} · b${shapeOf(b)} has inconsistent shapes`);
  }
}
