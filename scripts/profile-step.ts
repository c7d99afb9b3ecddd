// Where a supervised training step's time goes: the trainer's own step, run on the wasm backend
// wrapped so that every matmul call (by shape) and every row job (by task) is timed
// (apps/bench/timed-backend.ts), with the shortcuts on and off, on each thread count. It changes
// no model code and is not guarded against other processes (scripts/bench.ts is): run it on a
// quiet machine, and compare columns of one run.
//
//   npx tsx scripts/profile-step.ts                        # 'default', 1 and 2 threads
//   npx tsx scripts/profile-step.ts --preset hinton --threads 2 --steps 80
//
// Reads top to bottom: flags → data → per thread count and shortcut setting: warm-up steps, timed
// steps → one table per thread count (ms per step by part, shortcuts on beside off).
import { runMain } from '../apps/cli/errors.ts';
import { configFromFlags, flagValue, helpText, int, intList, parseFlags, TRAIN_FLAGS, type FlagSpec } from '../apps/cli/flags.ts';
import { checkConfig } from '../src/run/check-config.ts';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { UserError } from '../src/errors.ts';
import { createWasmMatmul, wasmSimdAvailable } from '../src/linalg/wasm/index.ts';
import { ROW_TASK_TABLE } from '../src/run/row-tasks.ts';
import { timedBackend } from '../apps/bench/timed-backend.ts';
import { fixed, formatTable } from '../apps/cli/table.ts';
import { buildNetwork, makeTrainer } from '../src/run/train-run.ts';

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  preset: { field: null, kind: 'string', value: 'NAME', help: "a supervised preset of train.ts (default 'default')" },
  threads: { field: null, kind: 'string', value: 'T,T,..', help: 'thread counts (default 1,2)', parse: intList(1) },
  steps: { field: null, kind: 'string', value: 'N', help: 'timed steps per case (default 40)', parse: int(1, 10000) },
  warmup: { field: null, kind: 'string', value: 'N', help: 'untimed steps first (default 10)', parse: int(0, 10000) },
  seed: { field: null, kind: 'string', value: 'S', help: 'seed of the network (default 1)', parse: int(0) },
};

/** One profiled case: ms per step in all, and by part. */
interface Profile { total: number; parts: Map<string, number> }

function profile(cfg: Config, steps: number, warmup: number, data: ReturnType<typeof loadDataset>): Profile {
  const be = createWasmMatmul({ threads: cfg.threads, rowTasks: ROW_TASK_TABLE });
  try {
    if (cfg.threads > 1 && !be.rows.waitUntilShared(60_000)) process.stderr.write('warning: the row jobs run on the calling thread only\n');
    const tb = timedBackend(be, true);
    const trainer = makeTrainer(cfg, buildNetwork(cfg, data.classes), data, tb.backend);
    const order = new Int32Array(data.train.count).map((_, i) => i);
    const B = cfg.batchSize, perEpoch = Math.floor(data.train.count / B);
    const step = (s: number): void => void trainer.step({ split: data.train, order, start: (s % perEpoch) * B, B, lr: cfg.lr, headLr: cfg.headLr, only: null });
    for (let s = 0; s < warmup; s++) step(s);
    tb.reset();
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) step(warmup + s);
    const total = (performance.now() - t0) / steps;
    const parts = new Map<string, number>();
    for (const [k, v] of tb.byMatmul) parts.set(`matmul ${k}`, v / steps);
    for (const [k, v] of tb.byRowTask) parts.set(`row job ${k}`, v / steps);
    return { total, parts };
  } finally {
    be.close();
  }
}

async function main(): Promise<void> {
  const v = parseFlags(process.argv.slice(2), FLAGS);
  if (v.help) {
    process.stdout.write(helpText("Usage: npx tsx scripts/profile-step.ts [options]\n\nMilliseconds per supervised training step by matmul shape and row job, shortcuts on and off.", FLAGS));
    return;
  }
  const parsed = <T>(name: string, fallback: T): T => flagValue(v, FLAGS, name, fallback);
  const threadsList = parsed<number[]>('threads', [1, 2]), steps = parsed('steps', 40), warmup = parsed('warmup', 10), seed = parsed('seed', 1);
  const base = configFromFlags({ preset: (v.preset as string | undefined) ?? 'default', seed: String(seed), quiet: true }, TRAIN_FLAGS, { ...DEFAULT_CONFIG });
  checkConfig(base);
  if (base.mode !== 'supervised') throw new UserError(`--preset ${base.preset}: profile-step times the supervised step; this preset is ${base.mode}`);
  if (!wasmSimdAvailable()) throw new UserError('this runtime has no WebAssembly SIMD with shared memory');
  const data = loadDataset({ trainLimit: Math.min(60000, (steps + warmup) * base.batchSize) });
  console.log(`preset ${base.preset}: ${base.layers.join('-')}, B = ${base.batchSize}; ${warmup} warm-up + ${steps} timed steps per case; ms per step`);
  for (const threads of threadsList) {
    const on = profile({ ...base, threads, shortcuts: true }, steps, warmup, data);
    const off = profile({ ...base, threads, shortcuts: false }, steps, warmup, data);
    const keys = [...new Set([...on.parts.keys(), ...off.parts.keys()])]
      .sort((a, b) => Math.max(off.parts.get(b) ?? 0, on.parts.get(b) ?? 0) - Math.max(off.parts.get(a) ?? 0, on.parts.get(a) ?? 0));
    const ms = (x: number | undefined): string => (x === undefined ? '-' : fixed(x, 2));
    const sum = (p: Profile, prefix: string): number => [...p.parts].filter(([k]) => k.startsWith(prefix)).reduce((a, [, x]) => a + x, 0);
    const rows = keys.map((k) => [k, ms(on.parts.get(k)), ms(off.parts.get(k))]);
    rows.push(['all matmul calls', ms(sum(on, 'matmul')), ms(sum(off, 'matmul'))]);
    rows.push(['all row jobs', ms(sum(on, 'row job')), ms(sum(off, 'row job'))]);
    rows.push(['the rest (outside both)', ms(on.total - sum(on, '')), ms(off.total - sum(off, ''))]);
    rows.push(['the step', ms(on.total), ms(off.total)]);
    console.log();
    console.log(`${threads} thread(s): shortcuts on ÷ off ${fixed(off.total / on.total, 2)}×`);
    for (const line of formatTable(['part', 'shortcuts on', 'off'], rows)) console.log(`  ${line}`);
  }
}

void runMain(main);
