// The WebAssembly SIMD matmul against the naive reference: odd shapes, transposed operands, views
// with offsets, strides (positive, stepped, negative) and strided outputs, to a float32 tolerance;
// exact equality on dyadic inputs, and with the float32 sum in k order on any inputs; bit-identical
// results for 1 and 2 threads and from run to run; the opt-in relaxed-SIMD kernel (wasm-fma) within
// the same bound and thread-invariant; close() and a forgotten close().
// Values come from seeded makeRng streams, never Math.random.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { matmulNaive } from '../src/linalg/matmul-naive.ts';
import { matView, shapeOf, transposed, zeros, type Mat } from '../src/linalg/view.ts';
import { sleb, uleb } from '../src/linalg/wasm/emit.ts';
import { makeBackend } from '../src/run/backend.ts';
import { createWasmMatmul, wasmFmaAvailable, wasmSimdAvailable, type MatmulBackend } from '../src/linalg/wasm/index.ts';
import { makeRng, type Rng } from '../src/rng.ts';

const SEED = 20240611;

function randomMat(rows: number, cols: number, rng: Rng): Mat {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = 2 * rng.uniform() - 1;
  return m;
}

/** Entries drawn from {0, 0.25, -0.5, 1, 2}: every sum of products is exact in float32 here. */
function dyadicMat(rows: number, cols: number, rng: Rng): Mat {
  const values = [0, 0.25, -0.5, 1, 2];
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = values[rng.int(values.length)]!;
  return m;
}

/** A dense row-major copy of any view (for deepStrictEqual and for reading results). */
function dense(m: Mat): Float32Array {
  const [rows, cols] = m.shape as [number, number];
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = m.get(i, j);
  return out;
}

/**
 * The oracle the kernel must match bit for bit (kernel-multiply.ts): each element summed in k order
 * in float32, c = f32(c + f32(a·b)). Math.fround of a double sum or product of two float32 values
 * is the correctly rounded float32 result (53 >= 2·24 + 2, so double rounding is harmless).
 */
function float32InKOrder(a: Mat, b: Mat): Float32Array {
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const out = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc = Math.fround(acc + Math.fround(a.get(i, k) * b.get(k, j)));
      out[i * N + j] = acc;
    }
  }
  return out;
}

/** Random values spread over many binades (2^-20 .. 2^20), so that roundings differ by order. */
function wideRangeMat(rows: number, cols: number, rng: Rng): Mat {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = (2 * rng.uniform() - 1) * 2 ** (rng.int(41) - 20);
  return m;
}

function absMat(m: Mat): Mat {
  const [rows, cols] = m.shape as [number, number];
  const out = zeros(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out.set(i, j, Math.abs(m.get(i, j)));
  return out;
}

/**
 * Assert c ≈ a·b elementwise within the float32 bound for a K-term sum in any order:
 * |c - ref| <= 2·K·2^-24 · (|a|·|b|) + 2^-126. On failure, print the max difference and the
 * first differing pairs.
 */
function assertCloseToNaive(c: Mat, a: Mat, b: Mat, what: string): void {
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const ref = zeros(M, N);
  matmulNaive(ref, a, b);
  const scale = zeros(M, N);
  matmulNaive(scale, absMat(a), absMat(b));
  let maxDiff = 0;
  const bad: string[] = [];
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const got = c.get(i, j), want = ref.get(i, j);
      const diff = Math.abs(got - want);
      maxDiff = Math.max(maxDiff, diff);
      if (!(diff <= 2 * K * 2 ** -24 * scale.get(i, j) + 2 ** -126) && bad.length < 5) {
        bad.push(`(${i}, ${j}): got ${got}, want ${want}`);
      }
    }
  }
  assert.ok(bad.length === 0, `${what}: max |diff| ${maxDiff}; first mismatches: ${bad.join('; ')}`);
}

test('wasmSimdAvailable() is true on Node 20', () => {
  assert.equal(wasmSimdAvailable(), true);
});

test('the assembler writes LEB128 as the spec examples do', () => {
  assert.deepStrictEqual(uleb(0), [0x00]);
  assert.deepStrictEqual(uleb(127), [0x7f]);
  assert.deepStrictEqual(uleb(128), [0x80, 0x01]);
  assert.deepStrictEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.deepStrictEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepStrictEqual(sleb(63), [0x3f]);
  assert.deepStrictEqual(sleb(64), [0xc0, 0x00]);
  assert.deepStrictEqual(sleb(-64), [0x40]);
  assert.deepStrictEqual(sleb(0xffffffff), [0x7f]); // the i32 constant -1
});

describe('wasm matmul', () => {
  let one: MatmulBackend;
  let two: MatmulBackend;
  before(() => {
    one = createWasmMatmul({ threads: 1 });
    two = createWasmMatmul({ threads: 2 });
  });
  after(() => {
    one.close();
    two.close();
  });

  // [M, K, N]: tiny, odd, more than one K block (KC = 256) with a remainder, padding in M and N.
  // Products under 2^21 flops run on the main thread alone; 130×257×129 and 64×513×72 are shared.
  const shapes: [number, number, number][] = [
    [1, 1, 1], [7, 13, 5], [33, 65, 17], [130, 257, 129], [3, 1, 11], [1, 300, 1], [5, 600, 9], [64, 513, 72],
  ];

  test('matches matmulNaive on odd shapes, 1 and 2 threads', () => {
    const rng = makeRng(SEED, 'odd-shapes');
    for (const [M, K, N] of shapes) {
      const a = randomMat(M, K, rng), b = randomMat(K, N, rng);
      for (const be of [one, two]) {
        const c = zeros(M, N);
        c.data.fill(Number.NaN); // every element must be overwritten
        be.matmul(c, a, b);
        assertCloseToNaive(c, a, b, `${M}×${K}·${K}×${N}, ${be.threads} thread(s)`);
      }
    }
  });

  test('workerJobs(): the worker joins shared products, never those under 2^21 flops; one thread has none', () => {
    const rng = makeRng(SEED, 'worker-jobs');
    const small = [randomMat(64, 64, rng), randomMat(64, 64, rng)] as const; // 2^19 flops: main thread alone
    const big = [randomMat(256, 256, rng), randomMat(256, 256, rng)] as const; // 2^25 flops: two jobs (pack, multiply) each
    const before = two.workerJobs!();
    for (let i = 0; i < 20; i++) two.matmul(zeros(64, 64), ...small);
    assert.equal(two.workerJobs!(), before, 'a product under 2^21 flops wakes no worker');
    for (let i = 0; i < 20; i++) two.matmul(zeros(256, 256), ...big);
    const joined = two.workerJobs!() - before;
    assert.ok(joined > 0 && joined <= 40, `the worker joined ${joined} of the 40 jobs of 20 shared products`);
    one.matmul(zeros(256, 256), ...big);
    assert.equal(one.workerJobs!(), 0);
  });

  test('transposed operands (stride swaps) and a transposed output', () => {
    const rng = makeRng(SEED, 'transposed');
    for (const [M, K, N] of shapes) {
      const a = transposed(randomMat(K, M, rng)); // (M, K) view, column-contiguous
      const b = transposed(randomMat(N, K, rng)); // (K, N) view, column-contiguous
      const c = zeros(M, N);
      two.matmul(c, a, b);
      assertCloseToNaive(c, a, b, `aᵀbᵀ ${M}×${K}·${K}×${N}`);
      const ct = transposed(zeros(N, M)); // (M, N) output with strides [1, M]
      const bRowMajor = randomMat(K, N, rng);
      two.matmul(ct, a, bRowMajor);
      assertCloseToNaive(ct, a, bRowMajor, `transposed output ${M}×${N}`);
    }
  });

  test('views with offsets and strides: column slices, sub-views, stepped and reversed', () => {
    const rng = makeRng(SEED, 'views');
    const bigA = randomMat(50, 300, rng);
    const bigB = randomMat(280, 90, rng);
    // a: rows 3..39, columns 7..263 of a wider matrix (offset, row stride 300)
    const a = bigA.hi(40, 264).lo(3, 7);
    // b: a (257, 61) row-major matrix inside a flat buffer, at offset 123
    const flat = new Float32Array(123 + 257 * 61 + 17);
    for (let i = 0; i < flat.length; i++) flat[i] = 2 * rng.uniform() - 1;
    const b = matView(flat, 257, 61, 123);
    // c: a column slice of a wider output (offset 5, row stride 80)
    const bigC = zeros(37, 80);
    const c = bigC.hi(37, 66).lo(0, 5);
    assert.equal(shapeOf(a), '(37, 257)');
    two.matmul(c, a, b);
    assertCloseToNaive(c, a, b, 'column slice · sub-view');
    assert.ok(bigC.data.slice(0, 5).every((x) => x === 0), 'columns left of the output view are untouched');

    // Stepped views (no unit stride at all) and a reversed one (negative stride).
    const aStep = bigA.step(1, 2).hi(37, 140); // (37, 140), strides [300, 2]
    const bStep = bigB.step(2, -1).hi(140, 61); // (140, 61), strides [180, -1], columns reversed
    const c2 = zeros(37, 61);
    one.matmul(c2, aStep, bStep);
    assertCloseToNaive(c2, aStep, bStep, 'stepped · reversed');
  });

  test('exact on dyadic inputs (deepStrictEqual with matmulNaive)', () => {
    const rng = makeRng(SEED, 'dyadic');
    for (const [M, K, N] of [...shapes, [130, 600, 70] as [number, number, number]]) {
      const a = dyadicMat(M, K, rng), b = dyadicMat(K, N, rng);
      const ref = zeros(M, N);
      matmulNaive(ref, a, b);
      for (const be of [one, two]) {
        const c = zeros(M, N);
        be.matmul(c, a, b);
        assert.deepStrictEqual(c.data, ref.data, `${M}×${K}·${K}×${N}, ${be.threads} thread(s)`);
      }
      const ct = zeros(M, N);
      two.matmul(ct, transposed(matView(dense(transposed(a)), K, M)), b); // a as a column-contiguous view
      assert.deepStrictEqual(ct.data, ref.data, `${M}×${K}·${K}×${N} with a transposed view`);
    }
  });

  test('bit-equal to the float32 sum in k order, for any views and thread counts', () => {
    const rng = makeRng(SEED, 'float32-order');
    for (const [M, K, N] of shapes) {
      const a = wideRangeMat(M, K, rng), b = wideRangeMat(K, N, rng);
      const aT = transposed(matView(dense(transposed(a)), K, M)); // the same a, column-contiguous
      for (const be of [one, two]) {
        const c = zeros(M, N);
        be.matmul(c, a, b);
        assert.deepStrictEqual(c.data, float32InKOrder(a, b), `${M}×${K}·${K}×${N}, ${be.threads} thread(s)`);
        const cT = zeros(M, N);
        be.matmul(cT, aT, b);
        assert.deepStrictEqual(cT.data, c.data, `${M}×${K}·${K}×${N} with a transposed view`);
      }
    }
  });

  test('bit-identical for 1 and 2 threads and from run to run (300×500·500×400)', () => {
    const rng = makeRng(SEED, 'determinism');
    const a = randomMat(300, 500, rng), b = randomMat(500, 400, rng);
    const c1 = zeros(300, 400), c2 = zeros(300, 400), c2again = zeros(300, 400);
    one.matmul(c1, a, b);
    two.matmul(c2, a, b);
    two.matmul(c2again, a, b);
    assert.deepStrictEqual(c2.data, c1.data);
    assert.deepStrictEqual(c2again.data, c2.data);
    assertCloseToNaive(c2, a, b, '300×500·500×400');
  });

  test('grows its memory for a larger product after a small one, and c may alias a', () => {
    const rng = makeRng(SEED, 'grow');
    const a = randomMat(600, 600, rng), b = randomMat(600, 600, rng);
    const c = zeros(600, 600);
    two.matmul(c, a, b);
    assertCloseToNaive(c, a, b, '600×600·600×600');
    const want = dense(c);
    two.matmul(a, a, b); // in place: a is read completely before c is written
    assert.deepStrictEqual(a.data, want);
  });

  test('degenerate shapes: K = 0 gives zeros, M = 0 does nothing', () => {
    const c = zeros(3, 4);
    c.data.fill(7);
    two.matmul(c, zeros(3, 0), zeros(0, 4));
    assert.deepStrictEqual(c.data, new Float32Array(12));
    two.matmul(zeros(0, 4), zeros(0, 5), zeros(5, 4));
  });

  test('checks shapes and names them in the error', () => {
    assert.throws(() => two.matmul(zeros(3, 4), zeros(3, 5), zeros(6, 4)), /\(3, 5\).*\(6, 4\)/);
  });
});

describe('wasm-fma: the opt-in kernel with relaxed SIMD multiply-adds', () => {
  let one: MatmulBackend;
  let two: MatmulBackend;
  let plain: MatmulBackend;
  before(() => {
    assert.equal(wasmFmaAvailable(), true, 'Node 20 has relaxed SIMD behind a V8 flag that wasmFmaAvailable sets');
    one = createWasmMatmul({ threads: 1, fma: true });
    two = createWasmMatmul({ threads: 2, fma: true });
    plain = createWasmMatmul({ threads: 1 });
  });
  after(() => {
    one.close();
    two.close();
    plain.close();
  });

  test('is named wasm-fma, and makeBackend gives it for --backend wasm-fma', () => {
    assert.equal(one.name, 'wasm-fma');
    const be = makeBackend('wasm-fma', 2, (msg) => assert.fail(msg));
    assert.deepEqual([be.name, be.threads], ['wasm-fma', 2]);
    be.close();
  });

  test('exact on dyadic inputs, and within the float32 bound of matmulNaive on odd shapes, 1 and 2 threads', () => {
    const rng = makeRng(SEED, 'fma');
    for (const [M, K, N] of [[1, 1, 1], [7, 13, 5], [130, 257, 129], [64, 513, 72]] as [number, number, number][]) {
      const da = dyadicMat(M, K, rng), db = dyadicMat(K, N, rng), ref = zeros(M, N);
      matmulNaive(ref, da, db);
      const a = randomMat(M, K, rng), b = randomMat(K, N, rng);
      for (const be of [one, two]) {
        const cd = zeros(M, N);
        be.matmul(cd, da, db);
        assert.deepStrictEqual(cd.data, ref.data, `dyadic ${M}×${K}·${K}×${N}, ${be.threads} thread(s)`);
        const c = zeros(M, N);
        be.matmul(c, transposed(matView(dense(transposed(a)), K, M)), b);
        assertCloseToNaive(c, a, b, `${M}×${K}·${K}×${N}, ${be.threads} thread(s)`);
      }
    }
  });

  test('bit-identical for 1 and 2 threads and from run to run; other bits than mul then add where the CPU fuses', () => {
    const rng = makeRng(SEED, 'fma-determinism');
    const a = randomMat(300, 500, rng), b = randomMat(500, 400, rng);
    const c1 = zeros(300, 400), c2 = zeros(300, 400), c2again = zeros(300, 400), cPlain = zeros(300, 400);
    one.matmul(c1, a, b);
    two.matmul(c2, a, b);
    two.matmul(c2again, a, b);
    plain.matmul(cPlain, a, b);
    assert.deepStrictEqual(c2.data, c1.data);
    assert.deepStrictEqual(c2again.data, c2.data);
    let differ = 0;
    for (let i = 0; i < c1.data.length; i++) if (c1.data[i] !== cPlain.data[i]) differ++;
    console.log(`# wasm-fma differs from mul+add in ${differ} of ${c1.data.length} elements (0 where the CPU does not fuse)`);
  });
});

test('close() stops the workers; the backend refuses work afterwards; close() twice is fine', () => {
  const be = createWasmMatmul({ threads: 2 });
  const rng = makeRng(SEED, 'close');
  const a = randomMat(200, 200, rng), b = randomMat(200, 200, rng), c = zeros(200, 200);
  be.matmul(c, a, b);
  be.close();
  be.close();
  assert.throws(() => be.matmul(c, a, b), /closed/);
});

test('a forgotten close() does not keep the process alive (workers are unref()ed)', () => {
  const script = [
    "import { createWasmMatmul } from './src/linalg/wasm/index.ts';",
    "import { zeros } from './src/linalg/view.ts';",
    "import { ROW_TASK_TABLE } from './src/run/row-tasks.ts';",
    'const be = createWasmMatmul({ threads: 2, rowTasks: ROW_TASK_TABLE });',
    'be.matmul(zeros(300, 300), zeros(300, 300), zeros(300, 300));',
    "console.log('done');",
  ].join('\n');
  const run = spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(run.error, undefined, `child did not exit: ${run.error?.message}`);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /done/);
});
