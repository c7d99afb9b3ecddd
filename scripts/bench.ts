// Speed and memory of this project, measured in ONE run on a shared, noisy machine: matmul GFLOP/s
// (naive, js, wasm per thread count), training-step examples/s, the 'hinton-aug' step with each of
// its shortcuts (shared first layer, sparse input) on and off, 10-label evaluation images/s, peak
// RSS (also of a short real training run), and with --peers numpy/PyTorch on the same work with
// the ratios to them and the project's speed targets. Medians with min/max/reps and each row's foreign CPU load;
// every timed block waits for an idle machine first (apps/bench/guard.ts). It changes no model code.
//
//   npx tsx scripts/bench.ts                         # full run (several minutes)
//   npx tsx scripts/bench.ts --quick                 # smoke run, small shapes (seconds)
//   npx tsx scripts/bench.ts --peers --json          # + numpy/PyTorch ratios; last line JSON
//   npx tsx scripts/bench.ts --help
//
// Reads top to bottom: flags → config (printed) → backends → matmul → data → training and
// evaluation → the shortcuts of 'hinton-aug' → memory → peers → ratios and targets → optional JSON line.
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from '../apps/cli/errors.ts';
import { UserError } from '../src/errors.ts';
import { flagValue, helpText, int, intList, parseFlags, type FlagSpec } from '../apps/cli/flags.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { createJsMatmul, type MatmulBackend } from '../src/linalg/backend.ts';
import { createWasmMatmul, wasmFmaAvailable, wasmSimdAvailable } from '../src/linalg/wasm/index.ts';
import { ROW_TASK_TABLE } from '../src/run/row-tasks.ts';
import { makeRng } from '../src/rng.ts';
import { DEFAULT_GUARD, foreignCores, type GuardOptions } from '../apps/bench/guard.ts';
import { benchMatmul, matmulCases, type MatmulReps } from '../apps/bench/matmul-cases.ts';
import { runNumpy, runTorch, type NumpyResult, type PeerRun, type TorchResult } from '../apps/bench/peers.ts';
import { computeRatios, stepFigures, type Ratio } from '../apps/bench/ratios.ts';
import { measureTrainingRss, ownMaxRssKB, rssRunConfig, type TrainingRss } from '../apps/bench/rss.ts';
import type { Row } from '../apps/bench/summary.ts';
import { benchSimdPeak } from '../apps/bench/simd-peak.ts';
import { fixed, formatTable } from '../apps/cli/table.ts';
import { rowsTable } from '../apps/bench/table.ts';
import { benchTraining, layersName, type TrainingBenchConfig } from '../apps/bench/training-cases.ts';
import { benchShortcuts, type ShortcutBench } from '../apps/bench/shortcut-cases.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECTIONS = ['matmul', 'training', 'shortcuts', 'rss'] as const;
type Section = (typeof SECTIONS)[number];

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  quick: { field: null, kind: 'boolean', help: 'fast smoke run: small shapes and nets, few reps, short guard wait' },
  threads: { field: null, kind: 'string', value: 'T,T,..', help: 'thread counts of the wasm backend (default 1,2)', parse: intList(1) },
  peers: { field: null, kind: 'boolean', help: 'also run the numpy and PyTorch peer benchmarks and print ratios to them' },
  'peers-dir': { field: null, kind: 'string', value: 'DIR', help: 'where np_matmul.py and torch_ff.py are (default scripts/peers)' },
  python: { field: null, kind: 'string', value: 'CMD', help: 'the python that runs the peers, with numpy and torch installed (default python3)' },
  sections: { field: null, kind: 'string', value: 'LIST', help: `which of ${SECTIONS.join(',')} to run (default all)` },
  reps: {
    field: null, kind: 'string', value: 'N',
    help: 'timed repetitions of every block (default 7 wasm matmul, 5 steps, 15 shortcut rounds, 3 js/naive/evaluation; --quick 3/2)',
    parse: int(1, 1000),
  },
  'max-wait': {
    field: null, kind: 'string', value: 'S',
    help: 'longest wait in seconds for an idle machine before a timed block (default 900, --quick 30; 0 = no guard)', parse: int(0),
  },
  seed: { field: null, kind: 'string', value: 'S', help: 'seed of the random operands and networks (default 1)', parse: int(0) },
  json: { field: null, kind: 'boolean', help: 'end stdout with one JSON line of every result' },
};

interface BenchConfig {
  quick: boolean; // small shapes (smoke run)
  threads: number[]; // wasm thread counts
  peers: boolean; // run the peer scripts
  peersDir: string; // where they are
  python: string; // the python command that runs them
  sections: Section[]; // which of our own measurements to run
  matmulReps: MatmulReps; // timed calls per matmul block
  training: TrainingBenchConfig; // the step and evaluation measurements
  shortcutRounds: number; // timed rounds of the 'hinton-aug' shortcut variants (one step of each per round)
  rss: { layers: number[]; batch: number; steps: number; testImages: number }; // the memory run
  maxWaitS: number; // guard: longest wait for an idle machine
  seed: number;
  json: boolean;
}

function sectionsParser(v: string): Section[] {
  const parts = v.split(',').map((s) => s.trim());
  const bad = parts.find((p) => !(SECTIONS as readonly string[]).includes(p));
  if (bad !== undefined) throw new UserError(`--sections: unknown section '${bad}'; expected a comma list of ${SECTIONS.join(', ')}`);
  return parts as Section[];
}

function readConfig(v: Record<string, string | boolean | undefined>): BenchConfig {
  const get = <T>(name: string): T | undefined => flagValue<T | undefined>(v, FLAGS, name, undefined);
  const quick = v.quick === true;
  const reps = get<number>('reps');
  const seed = get<number>('seed') ?? 1;
  const big = quick ? [784, 500, 500] : [784, 2000, 2000, 2000, 2000];
  const batch = quick ? 200 : 1000;
  return {
    quick,
    threads: get<number[]>('threads') ?? [1, 2],
    peers: v.peers === true,
    peersDir: resolve(typeof v['peers-dir'] === 'string' ? v['peers-dir'] : resolve(REPO, 'scripts/peers')),
    python: typeof v.python === 'string' ? v.python : 'python3',
    sections: typeof v.sections === 'string' ? sectionsParser(v.sections) : [...SECTIONS],
    matmulReps: { naive: reps ?? (quick ? 2 : 3), js: reps ?? (quick ? 2 : 3), wasm: reps ?? (quick ? 3 : 7) },
    training: {
      layers: big, batch, evalImages: quick ? 200 : 1000,
      stepReps: reps ?? (quick ? 3 : 5), evalReps: reps ?? (quick ? 2 : 3), hintonReps: reps ?? (quick ? 3 : 9), seed,
    },
    shortcutRounds: reps ?? (quick ? 3 : 15),
    rss: { layers: big, batch, steps: 3, testImages: quick ? 200 : 1000 },
    maxWaitS: get<number>('max-wait') ?? (quick ? 30 : 900),
    seed,
    json: v.json === true,
  };
}

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const progress = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

function printRows(title: string, rows: Row[]): void {
  say(title);
  for (const line of rowsTable(rows)) say(`  ${line}`);
  say();
}

function printShortcuts(sb: ShortcutBench): void {
  printRows("3b. THE 'hinton-aug' STEP WITH EACH SHORTCUT ON AND OFF, examples/s (shared first layer: --no-shortcuts turns it off; " +
    'sparse input: --sparse-input off)\n   the four variants interleaved, one step each per round on the same batch', sb.rows);
  say('  ratios: the median over the rounds of the two steps\' speed ratio in each round (paired, under the same load)');
  for (const r of sb.ratios) say(`  ${r.label}: ${r.value === null ? '-' : `${fixed(r.value, 2)}×`}`);
  for (const d of sb.densities) {
    say(`  density measured by the sparse products on MNIST (${d.threads} thread(s)): x̂·W₁ ${fixed(d.forward, 3)}, ` +
      `x̂ᵀ·dZ ${fixed(d.weightGradient, 3)} of (4-row panel, k) pairs kept; ${fixed(100 * d.sparseShare, 0)}% of the products ran sparse`);
  }
  say();
}

function printPeer(run: PeerRun<unknown>): void {
  if (run.status === 'not installed') {
    say(`peer ${run.name}: not installed (${run.note}); its ratios are skipped`);
    say();
    return;
  }
  say(`peer ${run.name}: ${run.status}${run.note ? ` (${run.note}); its ratios are skipped` : ''}`);
  say(`  $ ${run.command}`);
  for (const line of run.output) say(`  | ${line}`);
  say();
}

function printRatios(ratios: Ratio[]): void {
  say('RATIOS (measured in this run)');
  const rows = ratios.map((r) => [
    r.label, r.value === null ? '-' : `${fixed(r.value, 2)}${r.unit === '×' ? '×' : ` ${r.unit}`}`,
    r.target === null ? '' : r.target.text,
    r.met === null ? (r.target === null ? '' : 'n/a') : r.met ? 'MET' : 'NOT MET',
    r.note,
  ]);
  for (const line of formatTable(['ratio', 'value', 'target', 'status', 'note'], rows)) say(`  ${line}`);
  say();
}

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    process.stdout.write(helpText(
      'Usage: npx tsx scripts/bench.ts [options]\n\n' +
        'Matmul, training-step and evaluation speed, memory, and (--peers) ratios to numpy and PyTorch.',
      FLAGS,
    ));
    return;
  }
  const cfg = readConfig(values);
  const guard: GuardOptions = { ...DEFAULT_GUARD, maxWaitS: cfg.maxWaitS };
  say(`seed ${cfg.seed}`);
  say(`config ${JSON.stringify(cfg)}`);
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? '?', cores: cpus().length, foreignAtStart: foreignCores(1) };
  say(`machine ${JSON.stringify(machine)}`);
  say('all figures are medians over the timed reps (min = slowest rep, max = fastest); foreign = cores used by other processes during the row');
  say();
  if (!wasmSimdAvailable()) throw new UserError('this runtime has no WebAssembly SIMD128 with shared memory: nothing to benchmark but js');

  // Backends: js (1 thread) and wasm on each thread count, kept for the whole run.
  const js = createJsMatmul();
  const wasm: MatmulBackend[] = cfg.threads.map((threads) => createWasmMatmul({ threads, rowTasks: ROW_TASK_TABLE }));
  // The opt-in relaxed-SIMD kernel (--backend wasm-fma), in the matmul section only.
  const fma: MatmulBackend[] = wasmFmaAvailable()
    ? cfg.threads.map((threads) => createWasmMatmul({ threads, fma: true, rowTasks: ROW_TASK_TABLE }))
    : [];
  let matmulRows: Row[] = [];
  let identical: boolean | null = null;
  let trainingRows: Row[] = [];
  let shortcuts: ShortcutBench | null = null;
  try {
    if (cfg.sections.includes('matmul')) {
      const res = benchMatmul(matmulCases(cfg.quick, makeRng(cfg.seed, 'bench')), js, [...wasm, ...fma], cfg.matmulReps, guard, progress);
      matmulRows = [...res.rows, benchSimdPeak(cfg.quick ? 2e6 : 2e7, cfg.matmulReps.wasm, guard, progress)];
      identical = res.identical;
      printRows('1. MATMUL GFLOP/s (2·M·N·K per call; each call includes staging, packing, copying C out; median ms per call)\n' +
        '   last row: the SIMD128 mul+add ceiling of one core (apps/bench/simd-peak.ts), ' +
        'the most any SIMD128 kernel without FMA can do here', matmulRows);
      say(`  wasm products bit-identical across thread counts ${cfg.threads.join(',')}: ${identical ? 'yes' : 'NO'}` +
        (fma.length > 0
          ? ' (each kernel against itself; wasm-fma, relaxed SIMD, has other bits by design)'
          : '; wasm-fma not measured: no relaxed SIMD here'));
      say();
      if (!identical) process.exitCode = 1;
    }
    if (cfg.sections.includes('training')) {
      const t = cfg.training;
      progress('loading MNIST');
      const data = loadDataset({ trainLimit: t.batch, testLimit: t.evalImages });
      trainingRows = benchTraining(t, data, wasm, guard, progress);
      printRows(`2. TRAINING STEP examples/s (images per second; a step of B images trains on B positive + B negative rows)\n` +
        `   FF layers step and trainer step: ${layersName(t.layers)}, B=${t.batch}, l2 norm, mean goodness θ=2, Adam lr 0.03, ` +
        `random negatives (torch_ff.py's semantics)`,
        trainingRows.filter((r) => r.section === 'step'));
      printRows(`3. EVALUATION images/s (10-label goodness evaluation: each image passed with each of the 10 labels)`,
        trainingRows.filter((r) => r.section === 'eval'));
    }
    if (cfg.sections.includes('shortcuts')) {
      progress('loading MNIST (1000 training images)');
      shortcuts = benchShortcuts(loadDataset({ trainLimit: 1000, testLimit: 1 }), wasm, cfg.shortcutRounds, guard, progress);
      printShortcuts(shortcuts);
    }
  } finally {
    js.close();
    for (const be of [...wasm, ...fma]) be.close();
  }

  // Memory: this process so far, and a short real training run in a child process.
  const benchRssKB = ownMaxRssKB();
  let trainingRss: TrainingRss | null = null;
  say('4. PEAK RESIDENT MEMORY (process.resourceUsage().maxRSS)');
  say(`  this benchmark process, after sections ${cfg.sections.join(',')}: ${(benchRssKB / 1024).toFixed(0)} MB`);
  if (cfg.sections.includes('rss')) {
    const r = cfg.rss;
    const threads = Math.max(...cfg.threads);
    progress(`memory run: ${layersName(r.layers)} B=${r.batch}, ${r.steps} steps + evaluation of ${r.testImages} test images`);
    trainingRss = measureTrainingRss(rssRunConfig(r.layers, r.batch, r.steps, r.testImages, threads, cfg.seed), REPO);
    say(`  PEAK RSS WHILE TRAINING ${layersName(r.layers)} at batch ${r.batch}: ${(trainingRss.maxRssKB / 1024).toFixed(0)} MB ` +
      `(${((trainingRss.maxRssKB * 1024) / 1e9).toFixed(2)} GB; child process: default recipe, wasm ${threads} thread(s), ` +
      `${trainingRss.steps} steps + goodness and softmax evaluation of ${trainingRss.testImages} test images, ` +
      `${trainingRss.seconds.toFixed(1)} s, ${trainingRss.examplesPerSecond.toFixed(0)} training ex/s)`);
  }
  say();

  // Peers, in the same run.
  let numpy: PeerRun<NumpyResult> | null = null;
  let torch: PeerRun<TorchResult> | null = null;
  if (cfg.peers) {
    say(`5. PEERS (${cfg.peersDir}, run by ${cfg.python})`);
    progress('peer numpy');
    numpy = runNumpy(cfg.peersDir, cfg.python, cfg.maxWaitS, cfg.quick ? 3 : 9);
    printPeer(numpy);
    progress('peer PyTorch');
    torch = runTorch(cfg.peersDir, cfg.python, cfg.maxWaitS, cfg.threads, cfg.training.layers, cfg.training.batch, cfg.quick ? 2 : 7);
    printPeer(torch);
    if (torch.result && !/OpenBLAS/.test(torch.result.blas)) {
      say('  warning: PyTorch is not on OpenBLAS: the comparison is meaningless (apt-get install -y libopenblas0-pthread)\n');
    }
  }

  const ratios = computeRatios({
    matmul: matmulRows, training: trainingRows,
    numpy: numpy?.result ?? null, torch: torch?.result ?? null,
    bigId: cfg.quick ? 'q-fwd500' : 'fwd2000', trainingRssKB: trainingRss?.maxRssKB ?? null,
  });
  if (!cfg.peers) say('(no --peers: the ratios to numpy and PyTorch are not measured)');
  printRatios(ratios);
  const steps = stepFigures(
    trainingRows, matmulRows, cfg.quick ? 'q-fwd500' : 'fwd2000', `${layersName(cfg.training.layers)} B=${cfg.training.batch}`,
  );
  if (steps.steps.length > 0) {
    say('STEPS: examples/s with the shortcuts on and off; dense-equivalent GFLOP/s ' +
      '(the plain step\'s matmul flops ÷ the time) beside the kernel\'s GFLOP/s in this run');
    const rows = steps.steps.map((s) => [s.config, String(s.threads), s.shortcuts ? 'on' : 'off', fixed(s.examplesPerS, 0), fixed(s.denseGflops, 1),
      s.kernelGflops === null ? '-' : fixed(s.kernelGflops, 1), s.kernelGflops === null ? '-' : fixed(s.denseGflops / s.kernelGflops, 2)]);
    const header = ['config', 'threads', 'shortcuts', 'examples/s', 'dense-eq GFLOP/s', 'kernel GFLOP/s', 'ratio'];
    for (const line of formatTable(header, rows)) say(`  ${line}`);
    say(`  stepSpeedup (on ÷ off, 2 threads): ${JSON.stringify(steps.stepSpeedup)}`);
    say(`  threadScaling (2 threads ÷ 1, shortcuts on): ${JSON.stringify(steps.threadScaling)}`);
    say();
  }

  if (cfg.json) {
    say(JSON.stringify({
      config: cfg, machine, matmul: matmulRows, identical, training: trainingRows,
      shortcuts,
      rss: { benchProcessKB: benchRssKB, training: trainingRss },
      peers: {
        numpy: numpy && { status: numpy.status, note: numpy.note, command: numpy.command, result: numpy.result },
        pytorch: torch && { status: torch.status, note: torch.note, command: torch.command, result: torch.result },
      },
      ratios, stepSpeedup: steps.stepSpeedup, threadScaling: steps.threadScaling, steps: steps.steps,
    }));
  }
}

await runMain(main);
