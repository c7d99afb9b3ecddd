// Noise guard for a shared machine (scripts/peers/guard.py does the same for the peers): the CPU used
// by OTHER processes while we time something = system busy time (/proc/stat) minus this process'
// own CPU time (process.cpuUsage, which counts every thread of the process, so the wasm matmul's
// worker threads are "ours"). waitIdle blocks until that foreign load is low (up to a max wait);
// timeClean times a block of repetitions and retries a block that was disturbed.
// Synchronous on purpose (the timed work is synchronous). Linux only; elsewhere the load reads NaN.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface GuardOptions {
  maxWaitS: number; // longest wait for an idle machine before a timed block (0 = never wait)
  idleCores: number; // "idle" = other processes use at most this many cores (guard.py: 0.15)
  maxForeign: number; // a timed block with more foreign load than this is retried (guard.py: 0.1)
  tries: number; // timed blocks at most, the last one is kept whatever its load (guard.py: 4)
  log: (msg: string) => void; // where '[guard] waiting ...' lines go (stderr)
}

export const DEFAULT_GUARD: Readonly<GuardOptions> = {
  maxWaitS: 900, idleCores: 0.15, maxForeign: 0.1, tries: 4, log: (m) => process.stderr.write(`${m}\n`),
};

/** One timed block: every repetition's seconds and the load around it. */
export interface TimedBlock {
  seconds: number[]; // one per timed repetition, in order
  foreign: number; // cores used by other processes during the kept block (NaN if unknown)
  waitedS: number; // seconds spent waiting for an idle machine before the kept block (all tries)
  tries: number; // timed blocks run (1 = the first was clean)
}

const PROC_STAT = '/proc/stat';

/** Clock ticks per second of /proc/stat (getconf CLK_TCK; 100 on every common Linux). */
function clockTicks(): number {
  try {
    const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(hz) && hz > 0 ? hz : 100;
  } catch {
    return 100;
  }
}

const HZ = existsSync(PROC_STAT) ? clockTicks() : 100;

/** Busy CPU seconds of the whole system: user, nice, system, irq, softirq, steal (not idle, iowait). */
function systemBusyS(): number {
  if (!existsSync(PROC_STAT)) return NaN;
  const f = readFileSync(PROC_STAT, 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + (f[7] ?? 0)) / HZ;
}

/** CPU seconds of this process, all threads (workers included). */
function ownCpuS(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Block the thread for `ms` milliseconds without spinning. */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A mark to measure foreign load from. */
interface Mark { busy: number; own: number; wall: number }

function mark(): Mark {
  return { busy: systemBusyS(), own: ownCpuS(), wall: performance.now() / 1000 };
}

/** Cores used by other processes since `m0` (never negative). */
function foreignSince(m0: Mark): number {
  const m1 = mark();
  const wall = m1.wall - m0.wall;
  if (!(wall > 0)) return NaN;
  return Math.max(0, (m1.busy - m0.busy) - (m1.own - m0.own)) / wall;
}

/** Foreign load, in cores, over the next `seconds` (this thread sleeps meanwhile). */
export function foreignCores(seconds = 1): number {
  const m0 = mark();
  sleepMs(seconds * 1000);
  return foreignSince(m0);
}

/** Wait until other processes use at most idleCores (or maxWaitS passes); returns the seconds waited. */
export function waitIdle(opts: GuardOptions): number {
  if (opts.maxWaitS <= 0) return 0;
  const t0 = performance.now();
  const waited = (): number => (performance.now() - t0) / 1000;
  let f = foreignCores(0.5);
  let warned = false;
  while (f > opts.idleCores && waited() < opts.maxWaitS) {
    if (!warned) opts.log(`[guard] waiting: other processes use ${f.toFixed(2)} cores`);
    warned = true;
    sleepMs(2000);
    f = foreignCores(1);
  }
  if (warned) opts.log(`[guard] resumed after ${waited().toFixed(0)} s (foreign ${f.toFixed(2)} cores)`);
  return waited();
}

/**
 * Wait for an idle machine, run `warm` untimed calls, then time `reps` calls as one block; retry the
 * block (from the wait) while other processes used more than maxForeign cores during it.
 */
export function timeClean(fn: () => void, reps: number, warm: number, opts: GuardOptions): TimedBlock {
  let waitedS = 0;
  let last: TimedBlock | null = null;
  for (let t = 1; t <= opts.tries; t++) {
    waitedS += waitIdle(opts);
    for (let w = 0; w < warm; w++) fn();
    const m0 = mark();
    const seconds: number[] = [];
    for (let r = 0; r < reps; r++) {
      const s = performance.now();
      fn();
      seconds.push((performance.now() - s) / 1000);
    }
    const foreign = foreignSince(m0);
    const wallS = seconds.reduce((a, b) => a + b, 0);
    last = { seconds, foreign, waitedS, tries: t };
    // Blocks under 50 ms are kept: the load is then below the resolution of /proc/stat's ticks.
    if (!(foreign > opts.maxForeign) || wallS < 0.05 || opts.maxWaitS <= 0) return last;
    if (t < opts.tries) opts.log(`[guard] disturbed (other processes used ${foreign.toFixed(2)} cores) - retry ${t}/${opts.tries - 1}`);
  }
  return last!;
}
