// Row jobs on the wasm backend's pool against the same kernels on the calling thread alone: every
// task of src/run/row-tasks.ts, on shared inputs big enough to be shared, gives the same bits split
// across 2 threads as in one call (and the job really ran on the pool); arrays outside shared
// memory run inline; the staging copies of a product from shared arrays are row jobs too. The row
// tasks reach the backend from its maker (ROW_TASK_TABLE); without them every job runs inline.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { INLINE_ROWS, rowTask, span, type RowArg, type RowRunner } from '../src/linalg/row-runner.ts';
import { BIAS_RELU_ROWS } from '../src/linalg/rows.ts';
import { sharedFloat32, sharedFloat64, sharedInt32, sharedUint8 } from '../src/linalg/shared-floats.ts';
import { matView, transposed } from '../src/linalg/view.ts';
import { createWasmMatmul, type MatmulBackend } from '../src/linalg/wasm/index.ts';
import { ROW_TASK_TABLE, ROW_TASKS } from '../src/run/row-tasks.ts';
import { makeRng } from '../src/rng.ts';

const rng = makeRng(11, 'row-jobs-test');
const R = 300, C = 400, n = R * C; // 120 000 values: over the pool's sharing threshold
// Filled in place: TypedArray.map would return an array outside shared memory.
function fill<T extends Float32Array | Float64Array | Int32Array | Uint8Array>(a: T, value: () => number): T {
  for (let i = 0; i < a.length; i++) a[i] = value();
  return a;
}
const f32 = (len: number, lo = -1, hi = 1): Float32Array => fill(sharedFloat32(len), () => lo + (hi - lo) * rng.uniform());
const f64 = (len: number, lo = -1, hi = 1): Float64Array => fill(sharedFloat64(len), () => lo + (hi - lo) * rng.uniform());
const ints = (len: number, k: number): Int32Array => fill(sharedInt32(len), () => rng.int(k));

/** Fresh arguments, unit count and work of one job of each task (outputs are arrays too). */
const CASES: Record<string, () => { args: RowArg[]; size: number }> = {
  normalizeRows: () => ({ args: [sharedFloat32(n), f32(n), C, 1e-8, 0], size: R }),
  biasReluRows: () => ({ args: [sharedFloat32(n), f32(n), f32(C), C], size: R }),
  sumSquaresRows: () => ({ args: [sharedFloat32(R), f32(n), C], size: R }),
  columnSums: () => ({ args: [sharedFloat32(C), f32(n), 7, R - 7, C], size: C }),
  scaleRows: () => ({ args: [sharedFloat32(n), f32(n), f64(R), 0.37, C], size: R }),
  sumHalves: () => ({ args: [sharedFloat32(n / 2), f32(n), n / 2], size: n / 2 }),
  copyCompact: () => ({ args: [sharedFloat32(R * (C + 5)), 3, f32(n), 0, C, 1, R - 10, C - 2, C + 5], size: R }),
  unstageRows: () => ({ args: [sharedFloat32(n), 0, C, 1, C, f32(R * (C + 8)), 0, C + 8], size: R }),
  // A (R, C), 30% non-zero, packed compressed in panels of 4 rows: values at 0, indices at 0, counts after them (R/4·C).
  packSparsePanels: () => ({
    args: [
      sharedFloat32(n), sharedInt32(n / 4 + (R / 4) * 2), 0, 0, n / 4, R, 4, 8, 256,
      fill(sharedFloat32(n), () => (rng.uniform() < 0.3 ? rng.uniform() : 0)), 0, C, 1, R, C,
    ],
    size: R / 4,
  }),
  addPeerRows: () => ({ args: [f32(n), f32(C), 0.5, 0.01, C], size: R }),
  peerMeanColumns: () => ({ args: [f32(C, 0, 1), f32(n, 0, 2), R, C, 0.9], size: C }),
  firstLayerRows: () => ({ args: [sharedFloat32(2 * n), R, f32(n), f64(R, 0.5, 2), f64(11 * C), ints(R, 10), f32(C), C], size: R }),
  labelGradColumns: () => ({ args: [sharedFloat64(10 * C), f32(n), f64(R / 2, 0.5, 2), ints(R / 2, 10), ints(R / 2, 10), R / 2, 1, C], size: C }),
  labelKappa: () => ({ args: [sharedFloat64(R), f32(n, 0, 1), C, 10, 1, 0], size: R }),
  copyColumnsInto: () => ({ args: [sharedFloat32(R * (2 * C)), f32(n), 2 * C, C, C], size: R }),
  applyMask: () => ({ args: [f32(n), fill(sharedUint8(n), () => rng.int(2)), 0.1], size: n }),
  adamUpdate: () => ({ args: [f32(n), f32(n), f32(n, 0, 1), f32(n), 3, 0.002, 0.9, 0.999, 1e-8], size: n }),
  smoothedSgdUpdate: () => ({ args: [f32(n), f32(n), f32(n), 0.01, 0.9, 0.001], size: n }),
};

/** A deep copy of the arguments (arrays copied into fresh shared memory). */
function copyArgs(args: RowArg[]): RowArg[] {
  return args.map((a) => {
    if (typeof a === 'number') return a;
    const c = a instanceof Float32Array ? sharedFloat32(a.length) : a instanceof Float64Array ? sharedFloat64(a.length)
      : a instanceof Int32Array ? sharedInt32(a.length) : sharedUint8(a.length);
    c.set(a as never);
    return c;
  });
}

describe('row jobs on the pool (2 threads)', () => {
  let be: MatmulBackend;
  let rows: RowRunner;
  before(() => {
    be = createWasmMatmul({ threads: 2, rowTasks: ROW_TASK_TABLE });
    rows = be.rows;
    assert.ok(rows.waitUntilShared(60_000), 'the worker did not load the row tasks');
  });
  after(() => be.close());

  test('every task of the table has a case here, and no case is left over', () => {
    assert.deepEqual(Object.keys(CASES).sort(), Object.keys(ROW_TASKS).sort());
  });

  for (const name of Object.keys(CASES)) {
    test(`${name}: split across the pool = one call on this thread, bit for bit`, () => {
      const task = ROW_TASKS[name]!;
      const { args, size } = CASES[name]!();
      const inline = copyArgs(args);
      INLINE_ROWS.run(task, inline, size, Infinity);
      const before = rows.sharedJobs();
      rows.run(task, args, size, Infinity);
      assert.equal(rows.sharedJobs(), before + 1, 'the job did not run on the pool');
      for (let i = 0; i < args.length; i++) {
        if (typeof args[i] !== 'number') assert.deepEqual(args[i], inline[i], `${name}: argument ${i} differs`);
      }
      const outputs = args.filter((a) => typeof a !== 'number' && (a as Float32Array).some((v) => v !== 0));
      assert.ok(outputs.length > 0);
    });
  }

  test('a job over an array outside shared memory runs on this thread, with the same result', () => {
    const task = ROW_TASKS['biasReluRows']!;
    const z = f32(n), b = f32(C);
    const y1 = new Float32Array(n), y2 = sharedFloat32(n);
    const before = rows.sharedJobs();
    rows.run(task, [y1, z, b, C], R, Infinity);
    assert.equal(rows.sharedJobs(), before);
    INLINE_ROWS.run(task, [y2, z, b, C], R, Infinity);
    assert.deepEqual(y1, y2);
    assert.ok(y1.some((v) => v > 0));
  });

  test('a task outside the backend\'s row-task table fails on this thread before it is shared', () => {
    const stray = rowTask<[out: Float32Array]>('strayTask', ([out], lo, hi) => out.fill(1, lo, hi));
    assert.throws(() => rows.run(stray, [sharedFloat32(n)], n, Infinity), /row-task table has no task 'strayTask'/);
  });

  test('a product of shared operands stages and unstages them as row jobs; same bits as from plain arrays', () => {
    const M = 500, K = 600, N = 700;
    const a = f32(M * K), b = f32(K * N);
    const c1 = sharedFloat32(M * N), c2 = new Float32Array(M * N);
    const before = rows.sharedJobs();
    be.matmul(matView(c1, M, N), transposed(matView(a, K, M)), matView(b, K, N)); // a transposed view: the strided copy
    assert.ok(rows.sharedJobs() >= before + 3, 'staging A, B and unstaging C should be row jobs');
    const jobs = rows.sharedJobs();
    be.matmul(matView(c2, M, N), transposed(matView(Float32Array.from(a), K, M)), matView(Float32Array.from(b), K, N));
    assert.equal(rows.sharedJobs(), jobs, 'plain arrays are copied by the calling thread');
    assert.deepEqual(c1, Float32Array.from(c2));
  });
});

test('without row tasks, the wasm backend\'s workers run products only: every row job runs on this thread, same bits', () => {
  const plain = createWasmMatmul({ threads: 2 });
  try {
    assert.equal(plain.rows.waitUntilShared(60_000), false);
    const task = ROW_TASKS['biasReluRows']!;
    const z = f32(n), b = f32(C), y1 = sharedFloat32(n), y2 = sharedFloat32(n);
    plain.rows.run(task, [y1, z, b, C], R, Infinity);
    INLINE_ROWS.run(task, [y2, z, b, C], R, Infinity);
    assert.equal(plain.rows.sharedJobs(), 0);
    assert.deepEqual(y1, y2);
  } finally {
    plain.close();
  }
});

test('a call site is checked against its task\'s argument types: a wrong argument does not compile', () => {
  const y = new Float32Array(4);
  const wrong = (): void => {
    // @ts-expect-error: C, biasReluRows' 4th argument, is a number
    INLINE_ROWS.run(BIAS_RELU_ROWS, [y, y, y, y], 1, 4);
    // @ts-expect-error: biasReluRows takes 4 arguments
    INLINE_ROWS.run(BIAS_RELU_ROWS, [y, y, y], 1, 4);
  };
  INLINE_ROWS.run(BIAS_RELU_ROWS, [y, y, y, 4], 1, 4);
  assert.equal(typeof wrong, 'function'); // never called: tsc (npm test's first step) checks the lines above
});

test('span cuts [0, size) into near-equal ranges that cover it once', () => {
  for (const [size, parts] of [[10, 3], [7, 7], [5, 8], [1000, 4]] as const) {
    let next = 0;
    for (let t = 0; t < parts; t++) {
      const [lo, hi] = span(size, parts, t);
      assert.equal(lo, next);
      assert.ok(hi - lo === Math.floor(size / parts) || hi - lo === Math.ceil(size / parts));
      next = hi;
    }
    assert.equal(next, size);
  }
});
