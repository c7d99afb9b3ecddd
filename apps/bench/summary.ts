// One measured row of the benchmark: the median, minimum and maximum of a rate over the timed
// repetitions of one block, with the noise it was measured under. A rate is work per second
// (GFLOP/s, examples/s, images/s), so the fastest repetition is the max. The median is the upper
// median sorted[floor(n/2)], as guard.py's. This file measures nothing and prints nothing.
import type { TimedBlock } from './guard.ts';

export interface Row {
  section: string; // 'matmul' | 'step' | 'eval'
  id: string; // stable key of the case, e.g. 'fwd2000' (the JSON and the ratios use it)
  label: string; // what was timed, for the table
  backend: string; // 'naive' | 'js' | 'wasm'
  threads: number;
  unit: string; // 'GFLOP/s' | 'examples/s' | 'images/s'
  median: number; // rate of the median repetition
  min: number; // rate of the slowest repetition
  max: number; // rate of the fastest repetition
  medianMs: number; // the median repetition's wall time
  reps: number; // timed repetitions
  foreign: number; // cores used by other processes during the kept block
  waitedS: number; // seconds waited for an idle machine before it
  tries: number; // timed blocks run (retries after disturbed ones + 1)
  matmulShare?: number; // training rows: fraction of the kept block's time spent inside matmul calls
  denseGflops?: number; // full-step rows: the plain step's matmul flops ÷ this row's median step time, GFLOP/s
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A Row from a timed block where each repetition did `work` units (flops, examples, images). */
export function rowFromBlock(
  block: TimedBlock, work: number, scale: number,
  meta: Pick<Row, 'section' | 'id' | 'label' | 'backend' | 'threads' | 'unit'>,
): Row {
  const t = block.seconds;
  const mid = median(t);
  return {
    ...meta,
    median: work / mid / scale,
    min: work / Math.max(...t) / scale,
    max: work / Math.min(...t) / scale,
    medianMs: mid * 1000,
    reps: t.length,
    foreign: block.foreign,
    waitedS: block.waitedS,
    tries: block.tries,
  };
}
