// The ceiling of WebAssembly SIMD128 without FMA on this CPU, measured: a loop of independent
// f32x4 multiply chains (a ← a·m) and add chains (b ← b + c), all in registers, no memory traffic,
// on the main thread. A matmul kernel that multiplies then adds (as ours does, for reproducible
// bits) needs one f32x4.mul and one f32x4.add per 8 flops, so this loop's op rate is the most such
// a kernel can reach on one core here. Our kernel's GFLOP/s over it is the kernel's efficiency;
// it over numpy's GFLOP/s is the best wasm ÷ numpy ratio SIMD128 allows on this machine.
// The chains are separate so that the loop is bound by the CPU's issue ports, not by latency.
// The module is emitted by our own assembler.
import { buildModule, Code, I32, V128, type FuncDef } from '../../src/linalg/wasm/emit.ts';
import { wasmApi } from '../../src/linalg/wasm/wasm-api.ts';
import { timeClean, type GuardOptions } from './guard.ts';
import { rowFromBlock, type Row } from './summary.ts';

/**
 * Chains of each kind: 6 multiplies and 6 adds in flight cover their latencies (about 4 cycles)
 * at up to 3 SIMD ops per cycle, and 12 chains + m + c fit in the 15 xmm registers V8 allocates.
 */
export const PEAK_CHAINS = 6;
/** Flops of one loop iteration: 2·PEAK_CHAINS 4-lane ops, one flop per lane. */
export const PEAK_FLOPS_PER_ITERATION = 2 * PEAK_CHAINS * 4;

// (func $peak (param $n i32)): memory[0], [4], [8] hold the start value, m and c (f32). Runs n ≥ 1
// iterations of a_i ← a_i·m and b_i ← b_i + c for i = 1..6, then stores Σ a_i + Σ b_i at
// memory[16] so that the work is observable and cannot be removed.
export function buildPeakModule(): Uint8Array {
  const n = 0, acc = (i: number): number => 1 + i, m = 1 + 2 * PEAK_CHAINS, c = 2 + 2 * PEAK_CHAINS;
  const code = new Code();
  for (let i = 0; i < 2 * PEAK_CHAINS; i++) code.i32Const(0).v128Load32Splat(0).localSet(acc(i));
  code.i32Const(0).v128Load32Splat(4).localSet(m);
  code.i32Const(0).v128Load32Splat(8).localSet(c);
  code.loop((body) => {
    for (let i = 0; i < PEAK_CHAINS; i++) {
      body.localGet(acc(i)).localGet(m).f32x4Mul().localSet(acc(i)); // a_i ← a_i·m
      body.localGet(acc(PEAK_CHAINS + i)).localGet(c).f32x4Add().localSet(acc(PEAK_CHAINS + i)); // b_i ← b_i + c
    }
    body.localGet(n).i32Const(1).i32Sub().localTee(n).brIf(0); // while (--n !== 0)
  });
  code.i32Const(16).localGet(acc(0));
  for (let i = 1; i < 2 * PEAK_CHAINS; i++) code.localGet(acc(i)).f32x4Add();
  code.v128Store(0);
  const locals: FuncDef['locals'] = Array.from({ length: 2 * PEAK_CHAINS + 2 }, () => V128);
  const peak: FuncDef = { params: [I32], results: [], locals, body: code, exportName: 'peak' };
  return buildModule({ module: 'env', field: 'memory', initialPages: 1, maximumPages: 1, shared: true }, [peak]);
}

/**
 * The peak loop, ready to call: peak(n) runs n iterations; `sum` reads the stored result. The
 * benchmark keeps m = 1 and c = 0 (every value stays 1: no overflow, no denormals; the CPU cannot
 * know that, so it computes); a test sets others to check that the loop runs n times.
 */
export function instantiatePeak(m = 1, c = 0): { peak: (n: number) => void; sum: () => Float32Array } {
  const api = wasmApi();
  if (!api) throw new Error('no WebAssembly in this runtime');
  const memory = new api.Memory({ initial: 1, maximum: 1, shared: true });
  const f = new Float32Array(memory.buffer);
  f[0] = 1; // start value
  f[1] = m;
  f[2] = c;
  const instance = new api.Instance(new api.Module(buildPeakModule()), { env: { memory } });
  const peak = instance.exports.peak as (n: number) => void;
  return { peak, sum: () => new Float32Array(memory.buffer, 16, 4) };
}

/** GFLOP/s of the peak loop on this thread, as a matmul-section row (backend 'simd128-peak'). */
export function benchSimdPeak(iterations: number, reps: number, guard: GuardOptions, progress: (msg: string) => void): Row {
  progress('SIMD128 mul+add peak (register-only loop)');
  const { peak } = instantiatePeak();
  // The first calls run V8's baseline code (about 2 GFLOP/s) until the optimised tier takes over.
  const block = timeClean(() => peak(iterations), reps, 5, guard);
  return rowFromBlock(block, iterations * PEAK_FLOPS_PER_ITERATION, 1e9, {
    section: 'matmul', id: 'simd-peak', label: `SIMD128 mul+add ceiling: ${PEAK_CHAINS} mul + ${PEAK_CHAINS} add chains in registers`,
    backend: 'simd128-peak', threads: 1, unit: 'GFLOP/s',
  });
}
