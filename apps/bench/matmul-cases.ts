// Matrix-product speed: GFLOP/s (2·M·N·K per call) of the naive reference (small shape only), the
// js blocked kernel (1 thread) and the wasm backends (wasm, and wasm-fma where relaxed SIMD runs) per
// thread count, at the products FF training runs. Each call includes all a caller pays (staging, packing, copying C out); a repetition is
// enough calls to last MIN_REP_S. Also checks that every wasm thread count gives bit-identical
// products. Not a correctness test (test/ has those).
// M, K, N: c (M, N) = a (M, K) · b (K, N).
import type { MatmulBackend } from '../../src/linalg/backend.ts';
import { matmulNaive } from '../../src/linalg/matmul-naive.ts';
import { transposed, zeros, type Mat } from '../../src/linalg/view.ts';
import type { Rng } from '../../src/rng.ts';
import { timeClean, type GuardOptions } from './guard.ts';
import { rowFromBlock, type Row } from './summary.ts';

/** One product to time; a may be a transposed view. */
export interface MatmulCase {
  id: string; // stable key ('fwd2000', ...); ratios look numpy's figures up by it
  label: string;
  a: Mat;
  b: Mat;
  naive: boolean; // also time matmulNaive (about 1 GFLOP/s: small shapes only)
}

/**
 * Shortest repetition, in seconds: a small product is called several times per repetition so that
 * the timer's and the load meter's resolution (10 ms ticks of /proc/stat) stay small beside it.
 */
export const MIN_REP_S = 0.02;

export interface MatmulReps {
  naive: number; // timed calls of the naive kernel
  js: number; // of the js blocked kernel (slow: a few seconds per call at the large shapes)
  wasm: number; // of each wasm backend
}

function uniformMat(rows: number, cols: number, rng: Rng): Mat {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = 2 * rng.uniform() - 1;
  return m;
}

/** The products of an FF step of [784, 2000, ...] at batch 1000, or small stand-ins (quick). */
export function matmulCases(quick: boolean, rng: Rng): MatmulCase[] {
  const small: MatmulCase = { id: 'small', label: '(200×300)·(300×200)', a: uniformMat(200, 300, rng), b: uniformMat(300, 200, rng), naive: true };
  if (quick) {
    return [
      small,
      { id: 'q-fwd784', label: '(200×784)·(784×500)', a: uniformMat(200, 784, rng), b: uniformMat(784, 500, rng), naive: false },
      { id: 'q-fwd500', label: '(200×500)·(500×500)', a: uniformMat(200, 500, rng), b: uniformMat(500, 500, rng), naive: false },
      {
        id: 'q-gradW', label: 'x̂ᵀ·dZ (784×200)ᵀview·(200×500)',
        a: transposed(uniformMat(200, 784, rng)), b: uniformMat(200, 500, rng), naive: false,
      },
    ];
  }
  return [
    small,
    { id: 'fwd784', label: '(1000×784)·(784×2000)', a: uniformMat(1000, 784, rng), b: uniformMat(784, 2000, rng), naive: false },
    { id: 'fwd2000', label: '(1000×2000)·(2000×2000)', a: uniformMat(1000, 2000, rng), b: uniformMat(2000, 2000, rng), naive: false },
    // dW = x̂ᵀ·dZ with x̂ (1000, 784) stored row-major: a is its transposed view (784, 1000).
    {
      id: 'gradW', label: 'x̂ᵀ·dZ (784×1000)ᵀview·(1000×2000)',
      a: transposed(uniformMat(1000, 784, rng)), b: uniformMat(1000, 2000, rng), naive: false,
    },
    { id: 'w500', label: '(2000×500)·(500×500)', a: uniformMat(2000, 500, rng), b: uniformMat(500, 500, rng), naive: false },
  ];
}

export interface MatmulResult {
  rows: Row[];
  identical: boolean; // every thread count of a wasm kernel (wasm, wasm-fma) gave that kernel's same bits on every case
}

/** Time every case on naive (if asked), js and each wasm backend; rows in case order. */
export function benchMatmul(
  cases: MatmulCase[], js: MatmulBackend, wasm: MatmulBackend[], reps: MatmulReps, guard: GuardOptions, progress: (msg: string) => void,
): MatmulResult {
  const rows: Row[] = [];
  let identical = true;
  for (const s of cases) {
    const [M, K] = s.a.shape as [number, number];
    const N = s.b.shape[1]!;
    const flops = 2 * M * N * K;
    const time = (backend: string, threads: number, n: number, mul: (c: Mat) => void, c: Mat): void => {
      progress(`matmul ${s.label} ${backend}×${threads}`);
      // One call, untimed by the block, sizes a repetition: enough calls to last MIN_REP_S.
      const t0 = performance.now();
      mul(c);
      const calls = Math.max(1, Math.ceil(MIN_REP_S / Math.max((performance.now() - t0) / 1000, 1e-6)));
      const block = timeClean(() => { for (let i = 0; i < calls; i++) mul(c); }, n, 1, guard);
      const row = rowFromBlock(block, calls * flops, 1e9, { section: 'matmul', id: s.id, label: s.label, backend, threads, unit: 'GFLOP/s' });
      rows.push({ ...row, medianMs: row.medianMs / calls }); // per call, not per repetition
    };
    if (s.naive) time('naive', 1, reps.naive, (c) => matmulNaive(c, s.a, s.b), zeros(M, N));
    time('js', 1, reps.js, (c) => js.matmul(c, s.a, s.b), zeros(M, N));
    const outputs = new Map<string, Mat[]>(); // by kernel name: wasm-fma's bits differ from wasm's by design
    for (const be of wasm) {
      const c = zeros(M, N);
      time(be.name, be.threads, reps.wasm, (cc) => be.matmul(cc, s.a, s.b), c);
      outputs.set(be.name, [...(outputs.get(be.name) ?? []), c]);
    }
    for (const cs of outputs.values()) if (!cs.every((c) => c.data.every((x, i) => Object.is(x, cs[0]!.data[i])))) identical = false;
  }
  return { rows, identical };
}
