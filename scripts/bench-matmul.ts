// Matrix-product speed: GFLOP/s (2·M·N·K / median time) of the naive reference (small shape only)
// and of the wasm SIMD backend per thread count, at the shapes Forward-Forward uses. Each timing
// includes all a caller pays (staging, packing, copying C out); one warm-up call is not timed.
// It also checks that all thread counts give bit-identical products. Not a correctness test.
//
//   npx tsx scripts/bench-matmul.ts [--reps N] [--threads 1,2] [--seed S]
import { runMain } from '../src/cli/errors.ts';
import { helpText, int, intList, parseFlags, type FlagSpec } from '../src/cli/flags.ts';
import { matmulNaive } from '../src/linalg/matmul-naive.ts';
import { transposed, zeros, type Mat } from '../src/linalg/view.ts';
import { createWasmMatmul, wasmSimdAvailable, type MatmulBackend } from '../src/linalg/wasm/index.ts';
import { makeRng, type Rng } from '../src/rng.ts';

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  reps: { field: null, kind: 'string', value: 'N', help: 'timed repetitions per shape (median reported; default 7)', parse: int(1, 1000) },
  threads: { field: null, kind: 'string', value: 'T,T,..', help: 'thread counts of the wasm backend (default 1,2)', parse: intList(1) },
  seed: { field: null, kind: 'string', value: 'S', help: 'seed of the random operands (default 1)', parse: int(0) },
};

interface BenchConfig {
  reps: number; // timed repetitions per shape and backend
  threads: number[]; // wasm thread counts to compare
  seed: number; // seed of the operands' values
}

/** One product to time: c (M, N) = a (M, K) · b (K, N), with a possibly a transposed view. */
interface Shape {
  label: string;
  a: Mat;
  b: Mat;
  naive: boolean; // also time matmulNaive (only small shapes: it runs at about 1 GFLOP/s)
}

function uniformMat(rows: number, cols: number, rng: Rng): Mat {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = 2 * rng.uniform() - 1;
  return m;
}

function shapes(rng: Rng): Shape[] {
  const xHat = uniformMat(1000, 784, rng); // normalised inputs of a 1000-image batch
  return [
    { label: '(200×300)·(300×200)', a: uniformMat(200, 300, rng), b: uniformMat(300, 200, rng), naive: true },
    { label: '(1000×784)·(784×2000)', a: uniformMat(1000, 784, rng), b: uniformMat(784, 2000, rng), naive: false },
    { label: '(1000×2000)·(2000×2000)', a: uniformMat(1000, 2000, rng), b: uniformMat(2000, 2000, rng), naive: false },
    { label: 'x̂ᵀ·dZ (784×1000)ᵀview·(1000×2000)', a: transposed(xHat), b: uniformMat(1000, 2000, rng), naive: false },
    { label: '(2000×500)·(500×500)', a: uniformMat(2000, 500, rng), b: uniformMat(500, 500, rng), naive: false },
    { label: 'dZ·Wᵀ (1000×2000)·(784×2000)ᵀview', a: uniformMat(1000, 2000, rng), b: transposed(uniformMat(784, 2000, rng)), naive: false },
  ];
}

/** Median milliseconds of `reps` calls of c = a·b, after one untimed warm-up call. */
function medianMs(mul: (c: Mat, a: Mat, b: Mat) => void, c: Mat, a: Mat, b: Mat, reps: number): number {
  mul(c, a, b);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    mul(c, a, b);
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(reps / 2)]!;
}

function main(): void {
  const v = parseFlags(process.argv.slice(2), FLAGS);
  if (v.help) {
    process.stdout.write(helpText('Usage: npx tsx scripts/bench-matmul.ts [options]', FLAGS));
    return;
  }
  const cfg: BenchConfig = {
    reps: v.reps !== undefined ? (FLAGS.reps!.parse!(v.reps as string, 'reps') as number) : 7,
    threads: v.threads !== undefined ? (FLAGS.threads!.parse!(v.threads as string, 'threads') as number[]) : [1, 2],
    seed: v.seed !== undefined ? (FLAGS.seed!.parse!(v.seed as string, 'seed') as number) : 1,
  };
  console.log(`config ${JSON.stringify(cfg)}`);
  if (!wasmSimdAvailable()) throw new Error('WebAssembly SIMD128 with shared memory is not available here');

  const backends: MatmulBackend[] = cfg.threads.map((threads) => createWasmMatmul({ threads }));
  const columns = ['naive', ...backends.map((be) => `wasm×${be.threads}`)];
  console.log(`GFLOP/s, median of ${cfg.reps}; each includes staging, packing and copying C out`);
  console.log(`${'product'.padEnd(38)}${columns.map((s) => s.padStart(10)).join('')}${'×2/×1'.padStart(8)}  identical`);
  for (const s of shapes(makeRng(cfg.seed, 'bench'))) {
    const [M, K] = s.a.shape as [number, number];
    const N = s.b.shape[1]!;
    const gflops = (ms: number): number => (2 * M * N * K) / ms / 1e6;
    const cells: string[] = [];
    cells.push(s.naive ? gflops(medianMs(matmulNaive, zeros(M, N), s.a, s.b, Math.min(cfg.reps, 3))).toFixed(2) : '-');
    const outputs: Mat[] = [];
    const rates: number[] = [];
    for (const be of backends) {
      const c = zeros(M, N);
      rates.push(gflops(medianMs((c, a, b) => be.matmul(c, a, b), c, s.a, s.b, cfg.reps)));
      outputs.push(c);
    }
    cells.push(...rates.map((r) => r.toFixed(1)));
    const i1 = backends.findIndex((be) => be.threads === 1);
    const i2 = backends.findIndex((be) => be.threads === 2);
    const speedup = i1 >= 0 && i2 >= 0 ? (rates[i2]! / rates[i1]!).toFixed(2) : '-';
    const identical = outputs.every((c) => c.data.every((x, i) => Object.is(x, outputs[0]!.data[i])));
    console.log(`${s.label.padEnd(38)}${cells.map((x) => x.padStart(10)).join('')}${speedup.padStart(8)}  ${identical ? 'yes' : 'NO'}`);
    if (!identical) process.exitCode = 1;
  }
  for (const be of backends) be.close();
}

void runMain(main);
