// Write a JSON trace of training step K of any mode on a small net: every value of the step
// train.ts takes K-th with the same flags (same seed, same batch, same learning rate), from the
// input rows and random draws to the weights and optimizer state after the update; with --eval N,
// also the per-label scores of the first N test images after that step. docs/TRACE.md is the schema.
//
//   npx tsx scripts/inspect.ts --mode recurrent --layers 784,16,8 --batch-size 4 --step 50 --eval 5 --out trace.json
//   npx tsx scripts/inspect.ts --help
//
// Reads top to bottom: flags → config (printed with its seed) → data → the run's first K − 1 steps
// and step K observed (src/trace/trace.ts: trainSteps with a StepObserver) → write → one line per layer.
// Takes train.ts's config flags except the output and checkpoint ones; runs on --backend (default wasm).
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import { checkOutputFile } from '../apps/cli/output-paths.ts';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { checkConfig } from '../src/run/check-config.ts';
import { runMain } from '../apps/cli/errors.ts';
import { UserError } from '../src/errors.ts';
import { flagValue, configFromFlags, helpText, int, parseFlags, trainFlagsWithout, type FlagSpec } from '../apps/cli/flags.ts';
import { describeDraws } from '../src/trace/schema.ts';
import { traceRun, traceToJson } from '../src/trace/trace.ts';
import { announceAndLoad } from '../apps/cli/run-setup.ts';

const USAGE = `Usage: npx tsx scripts/inspect.ts [--mode MODE] [--step K] [--eval N] [options]

Runs the first K − 1 training steps of the run the options describe (as train.ts runs them), then
writes a JSON trace of step K: inputs, normalised inputs, z, y, goodness, p, losses, dL/dG, dZ,
the peer term, gradients, optimizer state before and after with the learning rate, weights before
and after, the head's logits and losses, and the step's random draws (batch, wrong labels with
their uniforms, masks and hybrid partners, scff pairs and their offset, shifts, recurrent states per
iteration). --eval N adds the per-label scores of the first N test images after step K. Schema:
docs/TRACE.md.
Refuses a config whose trace could exceed 50 MB: keep --layers and --batch-size small.`;

/** train.ts's flags that do something here, plus --step, --eval and --out. */
const INSPECT_FLAGS: Record<string, FlagSpec> = {
  ...trainFlagsWithout('output'),
  step: { field: null, kind: 'string', value: 'K', help: 'the step to trace, counted from 1 over the whole run (default 1)', parse: int(1) },
  eval: {
    field: null, kind: 'string', value: 'N', help: 'also trace the evaluation of the first N test images after step K (default 0)', parse: int(0),
  },
  out: { field: null, kind: 'string', value: 'PATH', help: 'where to write the trace (default trace.json)' },
};

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), INSPECT_FLAGS);
  if (values.help) {
    process.stdout.write(helpText(USAGE, INSPECT_FLAGS));
    return;
  }
  const out = typeof values.out === 'string' ? values.out : 'trace.json';
  if (out.trim() === '') throw new UserError('--out: expected a file path, got an empty string');
  const step = flagValue(values, INSPECT_FLAGS, 'step', 1);
  const evalImages = flagValue(values, INSPECT_FLAGS, 'eval', 0);
  const cfg: Config = configFromFlags(values, INSPECT_FLAGS, { ...DEFAULT_CONFIG });
  checkConfig(cfg);
  checkOutputFile('out', out); // before the data and the steps, not after
  const data = announceAndLoad(cfg);
  const trace = traceRun(cfg, data, { step, evalImages });
  const text = traceToJson(trace);
  writeFileAtomic(out, text);

  const s = trace.step;
  const lr = s.trainedLayers.length > 0 ? `lr ${s.lr}` : 'no layer trains (a readout or frozen step)';
  console.log(`step ${s.number} (epoch ${s.epoch}, step ${s.stepInEpoch} of ${s.stepsPerEpoch}) ${lr} head lr ${s.headLr}`);
  console.log(`images ${trace.batch.indices.join(',')} labels ${trace.batch.labels.join(',')}; ${describeDraws(trace)}`);
  for (const l of trace.layers) {
    const loss = l.loss ?? (l.iterations ? l.iterations.slice(1).reduce((a, it) => a + it.loss!, 0) / (l.iterations.length - 1) : NaN);
    console.log(`layer ${l.layer} (${l.D}→${l.H}) loss ${Number.isNaN(loss) ? 'not trained' : loss.toFixed(6)} θ ${l.theta}`);
  }
  console.log(`head loss ${trace.head.loss.toFixed(6)}`);
  if (trace.evaluation) {
    const e = trace.evaluation, pct = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
    console.log(`evaluation of ${e.images} test images: error goodness ${pct(e.errors.goodness)}, softmax ${pct(e.errors.softmax)}`);
  }
  console.log(`wrote ${out} (${(Buffer.byteLength(text) / 1e3).toFixed(1)} kB)`);
}

await runMain(main);
