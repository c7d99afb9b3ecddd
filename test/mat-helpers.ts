// Matrix helpers shared by matmul.test.ts and views-rows.test.ts (not a test file itself): a dense
// matrix from nested rows, and the elements of any view copied out row-major.
import { matView, type Mat } from '../src/linalg/view.ts';

/** A dense row-major matrix from nested rows. */
export function fromRows(rows: number[][]): Mat {
  return matView(Float32Array.from(rows.flat()), rows.length, rows[0]!.length);
}

/** The elements of any view, copied row-major into a dense Float32Array. */
export function dense(m: Mat): Float32Array {
  const [R, C] = m.shape as [number, number];
  const out = new Float32Array(R * C);
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) out[i * C + j] = m.get(i, j);
  return out;
}
