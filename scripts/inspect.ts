// Write a JSON trace of ONE supervised Forward-Forward training step on a small net: every value
// of the first step trainSupervised would take with the same flags (same seed, same first batch),
// from the input rows to the weights after the update. docs/TRACE.md documents every field.
//
//   npx tsx scripts/inspect.ts --layers 784,16,8 --batch-size 4 --seed 1 --out trace.json
//   npx tsx scripts/inspect.ts --help
//
// Reads top to bottom: flags → config (printed with its seed) → data → trace (src/io/trace.ts,
// checked bit for bit against the real trainer) → write → one summary line per layer.
// Takes train.ts's config flags except --save, --json and --quiet; runs on --backend (default wasm).
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import { checkOutputFile } from '../src/cli/output-paths.ts';
import { DEFAULT_CONFIG, type Config } from '../src/config.ts';
import { checkConfig } from '../src/check-config.ts';
import { runMain } from '../src/cli/errors.ts';
import { UserError } from '../src/errors.ts';
import { configFromFlags, helpText, parseFlags, TRAIN_FLAGS, type FlagSpec } from '../src/cli/flags.ts';
import { traceSupervisedStep, traceToJson } from '../src/io/trace.ts';
import { announceAndLoad } from '../src/cli/run-setup.ts';

const USAGE = `Usage: npx tsx scripts/inspect.ts [options]

Writes a JSON trace of the first supervised training step (what train.ts would do first with the
same options): inputs, normalised inputs, z, y, goodness, p, losses, gradients, optimizer state,
weights before and after, the head and the wrong labels with their reasons. Schema: docs/TRACE.md.
Refuses a config whose trace could exceed 50 MB: keep --layers and --batch-size small.`;

/** train.ts's flags that do something here, plus --out. */
const { save: _save, report: _report, json: _json, quiet: _quiet, checkpoint: _ck, 'checkpoint-every': _every, resume: _resume, ...CONFIG_FLAGS } = TRAIN_FLAGS;
const INSPECT_FLAGS: Record<string, FlagSpec> = {
  ...CONFIG_FLAGS,
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
  const cfg: Config = configFromFlags(values, INSPECT_FLAGS, { ...DEFAULT_CONFIG });
  checkConfig(cfg);
  checkOutputFile('out', out); // before the data and the step, not after
  const data = announceAndLoad(cfg);
  const trace = traceSupervisedStep(cfg, data);
  const text = traceToJson(trace);
  writeFileAtomic(out, text);

  console.log(`images ${trace.batch.indices.join(',')} labels ${trace.batch.labels.join(',')} wrong labels ${trace.negatives.wrong.join(',')} (${trace.negatives.mode})`);
  for (const l of trace.layers) {
    console.log(`layer ${l.layer} (${l.D}→${l.H}) loss ${l.loss.toFixed(6)} G+ ${l.goodPos.toFixed(3)} G- ${l.goodNeg.toFixed(3)} θ ${l.theta}`);
  }
  console.log(`head loss ${trace.head.loss.toFixed(6)}; identical to the trainer's step to the bit`);
  console.log(`wrote ${out} (${(Buffer.byteLength(text) / 1e3).toFixed(1)} kB)`);
}

await runMain(main);
