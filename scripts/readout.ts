// A new linear readout of a saved model: a softmax head trained from zero on its frozen layers.
//
//   npx tsx scripts/readout.ts --model m.safetensors --epochs 20 [--head-lr X] [--validation N] [--save out.safetensors]
//
// Reads top to bottom: flags → the model and its config → the readout's config (the model's, with
// the readout's epochs and rate) → data → train (the run's own readout phase, started with the
// model's layers and a zero head; a line per epoch) → test error → save → optional JSON line.
// The layers are not touched: only the head learns, as in train.ts's --readout-epochs, whose
// head goes on from the one trained alongside the layers, where this one starts from zero. The
// data are split as the model's run split them (its --validation) unless --validation says
// otherwise, so its head never sees the images the layers were validated on.
import {
  checkConfig, loadModel, makeBackend, saveNetwork, stepCounts, trainRunYielding, UserError, type Config,
} from '../src/index.ts';
import { runMain } from '../apps/cli/errors.ts';
import { flagValue, requiredModel, helpText, int, num, oneOf, parseFlags, type FlagSpec } from '../apps/cli/flags.ts';
import { makeProgress } from '../apps/cli/progress.ts';
import { epochLine, formatErrors } from '../apps/cli/report.ts';
import { announceAndLoad } from '../apps/cli/run-setup.ts';
import { checkOutputFile } from '../apps/cli/output-paths.ts';
import { addEpoch, newRunRecord } from '../src/model/run-record.ts';
import { readoutStart } from '../src/run/train-run.ts';

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  model: { field: null, kind: 'string', value: 'PATH', help: 'the model file written by train.ts --save (required; supervised or unsupervised)' },
  epochs: { field: null, kind: 'string', value: 'N', help: 'epochs of the readout (default 10)', parse: int(1) },
  'head-lr': {
    field: null, kind: 'string', value: 'X',
    help: "the head's learning rate, decayed by the model's --schedule over the readout (default: the model's)", parse: num(0, Infinity, false),
  },
  validation: {
    field: null, kind: 'string', value: 'N',
    help: "hold out the last N training images, their error printed per epoch (default: the model's)", parse: int(0),
  },
  'data-dir': { field: null, kind: 'string', value: 'DIR', help: "IDX dataset directory (default: the model's)" },
  seed: { field: null, kind: 'string', value: 'S', help: "the seed of the readout's draws: order, shifts (default: the model's)", parse: int(0) },
  threads: { field: null, kind: 'string', value: 'T', help: 'threads for the matrix products', parse: int(1, 64) },
  backend: { field: null, kind: 'string', value: 'NAME', help: 'wasm | js | wasm-fma', parse: oneOf('wasm', 'js', 'wasm-fma') },
  save: { field: null, kind: 'string', value: 'PATH', help: 'write the model with its new head (its config: the readout epochs and rate)' },
  json: { field: null, kind: 'boolean', help: 'end stdout with one JSON line of results' },
  quiet: { field: null, kind: 'boolean', help: 'no progress bar' },
};

async function main(): Promise<void> {
  const v = parseFlags(process.argv.slice(2), FLAGS);
  if (v.help) {
    process.stdout.write(helpText('Usage: npx tsx scripts/readout.ts --model PATH [options]', FLAGS));
    return;
  }
  const modelPath = requiredModel(v);
  const { cfg: saved, record: savedRecord, net: trained } = loadModel(modelPath);
  if (saved.mode === 'recurrent') {
    throw new UserError(`--model: ${modelPath} is a recurrent model; its head reads the iterated states, so it has no readout on frozen layers`);
  }
  const cfg: Config = {
    ...saved,
    readoutEpochs: flagValue(v, FLAGS, 'epochs', 10),
    headLr: flagValue(v, FLAGS, 'head-lr', saved.headLr),
    validation: flagValue(v, FLAGS, 'validation', saved.validation),
    dataDir: typeof v['data-dir'] === 'string' ? v['data-dir'] : saved.dataDir,
    seed: flagValue(v, FLAGS, 'seed', saved.seed),
    threads: flagValue(v, FLAGS, 'threads', saved.threads),
    backend: flagValue(v, FLAGS, 'backend', saved.backend),
    save: typeof v.save === 'string' ? v.save : null,
    json: v.json === true, quiet: v.quiet === true, report: null, checkpoint: null, checkpointEvery: null, resume: null,
  };
  checkConfig(cfg);
  if (cfg.save) checkOutputFile('save', cfg.save);
  console.log(
    `model ${modelPath}: layers ${cfg.layers.join(',')}, preset ${cfg.preset}; ` +
      `a new head on its frozen layers, ${cfg.readoutEpochs} epochs at head lr ${cfg.headLr}`,
  );
  const data = announceAndLoad(cfg);
  console.log(`data ${data.source}: train ${data.train.count}, validation ${data.validation?.count ?? 0}, test ${data.test.count}`);
  const backend = makeBackend(cfg.backend, cfg.threads, (msg) => console.error(msg));
  const { perEpoch, epochs: totalEpochs } = stepCounts(cfg, data.train.count);
  // The record: the model's FF epochs, then this readout's (a readout the model had is replaced).
  const record = newRunRecord(data.source, data.train.count, data.test.count, (savedRecord?.epochs ?? []).filter((e) => e.trainingLayer !== 0));
  let progress = makeProgress('readout', 1, 'ex', !cfg.quiet), newBar = true, epochNo = totalEpochs - cfg.readoutEpochs + 1;
  const t0 = performance.now();
  let result;
  try {
    result = await trainRunYielding(cfg, data, backend, {
      onStep: (done, total) => {
        if (newBar) progress = makeProgress(`epoch ${epochNo}/${totalEpochs} (readout)`, total, 'ex', !cfg.quiet);
        newBar = false;
        progress.update(done);
      },
      onEpoch: (r) => {
        progress.end();
        console.log(epochLine(r, totalEpochs, cfg.loss));
        epochNo = r.epoch + 1;
        newBar = true;
        addEpoch(record, r, perEpoch * cfg.batchSize);
      },
    }, readoutStart(trained, cfg));
  } finally {
    backend.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`test error: ${formatErrors(result.test)} (${data.test.count} images; ${seconds.toFixed(1)} s in all)`);
  Object.assign(record, { test: result.test, seconds, trainSeconds: result.trainSeconds, examplesPerSecond: result.examplesPerSecond });
  if (cfg.save) {
    saveNetwork(cfg.save, result.net, cfg, record);
    console.log(`saved ${cfg.save}`);
  }
  if (cfg.json) {
    console.log(JSON.stringify({
      model: modelPath, config: cfg, test: { goodnessError: result.test.goodness, softmaxError: result.test.softmax },
      epochs: result.epochs.map((e) => ({ epoch: e.epoch, validation: e.validation, headLoss: e.headLoss })), seconds,
    }));
  }
}

await runMain(main);
