// Ratios measured in one run, and the project's speed targets on them: wasm vs numpy GFLOP/s, our 2-thread
// vs 1-thread speed, our FF layers step and evaluation vs PyTorch's, the js kernel's GFLOP/s and
// the training run's peak RSS. A ratio whose inputs were not measured (peer not installed, thread
// count not run, --quick shapes) is null with a note, and its target is neither met nor failed.
// Ratios only: every number here was measured elsewhere (summary.ts rows, peers.ts results).
import type { NumpyResult, TorchResult } from './peers.ts';
import type { Row } from './summary.ts';

export interface Target {
  op: '>=' | '<';
  bound: number;
  text: string; // the target in words, e.g. 'wasm ≥ 0.4× numpy on 1 thread'
}

export interface Ratio {
  id: string;
  label: string;
  value: number | null; // null = not measured in this run
  unit: string; // '×', 'GFLOP/s', 'GB'
  target: Target | null; // null = for information
  met: boolean | null; // null when there is no target or no value
  note: string; // why value is null, or what it was measured on
}

export interface RatioInputs {
  matmul: Row[];
  training: Row[];
  numpy: NumpyResult | null; // null: not run or not installed
  torch: TorchResult | null;
  bigId: string; // the matmul case of the numpy and thread-scaling targets ('fwd2000'; quick: 'q-fwd500')
  trainingRssKB: number | null;
}

/** numpy's name of each of our matmul cases (same shapes, except gradW: numpy's A is (1000×2000)ᵀ). */
const NUMPY_CASE: Record<string, string> = {
  fwd784: 'fwd 1000x784 @ 784x2000',
  fwd2000: 'fwd 1000x2000 @ 2000x2000',
  gradW: 'gradW X.T @ G (transposed view)',
  w500: 'small 2000x500 @ 500x500',
};

/** The full-step cases of the bench (training-cases.ts), and the targets of two of them. */
export const STEP_IDS = ['default', 'hinton', 'trainer'] as const;
const STEP_TARGETS: Partial<Record<string, { speedup: number; scaling: number }>> = {
  default: { speedup: 1.5, scaling: 1.85 },
  hinton: { speedup: 1.25, scaling: 1.85 },
};

/** One full step as the JSON reports it: its speed with and without the shortcuts, beside the kernel's. */
export interface StepSpeed {
  config: string; // 'default', 'hinton', or the big net ('784-2000-2000-2000-2000 B=1000')
  threads: number;
  shortcuts: boolean;
  examplesPerS: number;
  denseGflops: number; // the plain step's flops ÷ this step's time
  kernelGflops: number | null; // the wasm kernel at the big matmul case on as many threads, this run
}

/**
 * The step figures the JSON names: stepSpeedup[config] = shortcuts on ÷ off on 2 threads,
 * threadScaling[config] = 2 threads ÷ 1 (shortcuts on), and every step row as a StepSpeed.
 */
export function stepFigures(training: Row[], matmul: Row[], bigId: string, bigName: string): {
  stepSpeedup: Record<string, number | null>; threadScaling: Record<string, number | null>; steps: StepSpeed[];
} {
  const name = (id: string): string => (id === 'trainer' ? bigName : id);
  const at = (id: string, t: number): number | undefined => find(training, id, 'wasm', t)?.median;
  const stepSpeedup: Record<string, number | null> = {}, threadScaling: Record<string, number | null> = {};
  const steps: StepSpeed[] = [];
  for (const id of STEP_IDS) {
    stepSpeedup[name(id)] = over(at(id, 2), at(`${id}-plain`, 2));
    threadScaling[name(id)] = over(at(id, 2), at(id, 1));
    for (const r of training.filter((r) => r.id === id || r.id === `${id}-plain`)) {
      steps.push({
        config: name(id), threads: r.threads, shortcuts: r.id === id, examplesPerS: r.median,
        denseGflops: r.denseGflops ?? NaN, kernelGflops: find(matmul, bigId, 'wasm', r.threads)?.median ?? null,
      });
    }
  }
  return { stepSpeedup, threadScaling, steps };
}

function find(rows: Row[], id: string, backend: string, threads: number): Row | undefined {
  return rows.find((r) => r.id === id && r.backend === backend && r.threads === threads);
}

function ratio(id: string, label: string, value: number | null, unit: string, note: string, target: Target | null = null): Ratio {
  const ok = value === null || target === null ? null : target.op === '>=' ? value >= target.bound : value < target.bound;
  return { id, label, value, unit, target, met: ok, note: value === null && note === '' ? 'not measured in this run' : note };
}

/** a / b, or null if either is missing. */
function over(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined || !(b > 0) ? null : a / b;
}

export function computeRatios(x: RatioInputs): Ratio[] {
  const out: Ratio[] = [];
  const wasmOn = (id: string, t: number): number | undefined => find(x.matmul, id, 'wasm', t)?.median;
  const trainOn = (id: string, t: number): number | undefined => find(x.training, id, 'wasm', t)?.median;
  const noNumpy = x.numpy === null ? 'numpy not run' : '';
  const noTorch = x.torch === null ? 'PyTorch not run' : '';

  // wasm ÷ numpy, per case and thread count (the target: the large forward product, 1 thread).
  for (const id of Object.keys(NUMPY_CASE)) {
    for (const t of [1, 2]) {
      const np = x.numpy?.gflops[`${t}t ${NUMPY_CASE[id]}`];
      const ours = wasmOn(id, t);
      const isTarget = id === x.bigId && t === 1;
      const note = noNumpy || (ours === undefined
        ? `wasm×${t} not measured at this shape`
        : id === 'gradW' ? "numpy's A is (1000×2000)ᵀ, ours (1000×784)ᵀ" : '');
      if (id !== x.bigId && ours === undefined) continue; // --quick shapes: only report the target's row
      out.push(ratio(`wasm/numpy ${id} ${t}t`, `wasm ÷ numpy GFLOP/s, ${NUMPY_CASE[id]}, ${t} thread${t > 1 ? 's' : ''}`, over(ours, np), '×', note,
        isTarget ? { op: '>=', bound: 0.4, text: 'wasm ≥ 0.4× numpy on 1 thread' } : null));
    }
  }
  // The SIMD128 ceiling (simd-peak.ts): how close our kernel is to it, and the best wasm ÷ numpy
  // ratio it allows, whatever the kernel (numpy may use wider vectors and FMA).
  const ceiling = find(x.matmul, 'simd-peak', 'simd128-peak', 1)?.median;
  out.push(ratio('wasm/ceiling', `wasm kernel ÷ SIMD128 mul+add ceiling, ${x.bigId}, 1 thread`, over(wasmOn(x.bigId, 1), ceiling), '×',
    ceiling === undefined ? 'ceiling not measured' : "the kernel's efficiency"));
  out.push(ratio('ceiling/numpy', 'SIMD128 mul+add ceiling ÷ numpy GFLOP/s, 1 thread',
    over(ceiling, x.numpy?.gflops[`1t ${NUMPY_CASE[x.bigId] ?? ''}`]), '×',
    noNumpy || 'the best wasm ÷ numpy any SIMD128 kernel without FMA could reach here'));
  if (!Object.hasOwn(NUMPY_CASE, x.bigId)) {
    out.push(ratio('wasm/numpy', 'wasm ÷ numpy GFLOP/s, 1 thread', null, '×', '--quick: numpy times other shapes',
      { op: '>=', bound: 0.4, text: 'wasm ≥ 0.4× numpy on 1 thread' }));
  }

  // The opt-in relaxed-SIMD kernel (wasm-fma) ÷ the default mul+add kernel, per thread count.
  for (const t of [1, 2]) {
    const fma = find(x.matmul, x.bigId, 'wasm-fma', t)?.median;
    out.push(ratio(`wasm-fma/wasm ${t}t`, `wasm-fma ÷ wasm GFLOP/s, ${x.bigId}, ${t} thread${t > 1 ? 's' : ''}`, over(fma, wasmOn(x.bigId, t)), '×',
      fma === undefined ? 'wasm-fma not measured (no relaxed SIMD here)' : 'the opt-in --backend wasm-fma; other bits'));
  }

  // Our 2-thread ÷ 1-thread speed.
  out.push(ratio('wasm 2t/1t', `wasm 2 threads ÷ 1 thread, GFLOP/s at ${x.bigId}`, over(wasmOn(x.bigId, 2), wasmOn(x.bigId, 1)), '×',
    '', { op: '>=', bound: 1.7, text: '2-thread ≥ 1.7× 1-thread' }));
  for (const id of ['ff-layers', 'eval']) {
    out.push(ratio(`${id} 2t/1t`, `${id}: 2 threads ÷ 1 thread`, over(trainOn(id, 2), trainOn(id, 1)), '×', ''));
  }
  // The full steps (training-cases.ts stepCases): thread scaling with the shortcuts on, and the
  // shortcuts' speedup (on ÷ off) on 2 threads.
  for (const id of STEP_IDS) {
    const target = STEP_TARGETS[id];
    out.push(ratio(`${id} 2t/1t`, `${id} step: 2 threads ÷ 1 thread (shortcuts on)`, over(trainOn(id, 2), trainOn(id, 1)), '×', '',
      target && { op: '>=', bound: target.scaling, text: `2-thread ≥ ${target.scaling}× 1-thread` }));
    out.push(ratio(`${id} on/off`, `${id} step: shortcuts on ÷ off, 2 threads`, over(trainOn(id, 2), trainOn(`${id}-plain`, 2)), '×', '',
      target && { op: '>=', bound: target.speedup, text: `shortcuts ≥ ${target.speedup}× the plain step` }));
  }

  // Our FF layers step and evaluation ÷ PyTorch's, per thread count.
  for (const t of [1, 2]) {
    const tr = x.torch?.results[String(t)];
    const noT = noTorch || (tr === undefined ? `PyTorch not run on ${t} thread(s)` : '');
    out.push(ratio(`step/torch ${t}t`, `FF layers step examples/s ÷ PyTorch's, ${t} thread${t > 1 ? 's' : ''}`,
      over(trainOn('ff-layers', t), tr?.examples_per_s), '×', noT,
      { op: '>=', bound: 0.4, text: 'step ≥ 0.4× torch' }));
    out.push(ratio(`eval/torch ${t}t`, `evaluation images/s ÷ PyTorch's, ${t} thread${t > 1 ? 's' : ''}`,
      over(trainOn('eval', t), tr?.images_per_s), '×', noT,
      { op: '>=', bound: 0.5, text: 'eval ≥ 0.5× torch' }));
  }

  // The js kernel and the memory of a real training run.
  out.push(ratio('js GFLOP/s', `js blocked kernel GFLOP/s at ${x.bigId}, 1 thread`, find(x.matmul, x.bigId, 'js', 1)?.median ?? null, 'GFLOP/s', '',
    { op: '>=', bound: 4, text: 'js ≥ 4 GFLOP/s' }));
  out.push(ratio('training peak RSS', 'peak RSS of the short training run (child process)',
    x.trainingRssKB === null ? null : (x.trainingRssKB * 1024) / 1e9, 'GB',
    x.trainingRssKB === null ? 'not measured' : '1 GB = 1e9 bytes', { op: '<', bound: 1.5, text: 'peak RSS < 1.5 GB' }));
  return out;
}
