// Train a Forward-Forward network on MNIST (or any IDX dataset) and print its test error.
//
//   npx tsx scripts/train.ts                       # the default: fast and good
//   npx tsx scripts/train.ts --preset hinton       # Hinton's Matlab recipe (100 epochs)
//   npx tsx scripts/train.ts --layers 784,1000,1000 --epochs 10 --save model.safetensors
//   npx tsx scripts/train.ts --report out/run       # out/run/index.html, rewritten every epoch
//   npx tsx scripts/train.ts --help
//
// Reads top to bottom: flags → config (printed with its seed) → output paths checked → data →
// backend → train (a line per epoch, and the report) → test error of both prediction methods →
// save (with the run's record) → optional JSON line.
import {
  checkConfig, DEFAULT_CONFIG, Interrupted, makeBackend, PRESETS, saveNetwork, stepCounts, trainRunYielding, UserError, type Config, type Trainer,
} from '../src/index.ts';
import { runMain } from '../apps/cli/errors.ts';
import { watchStopSignals } from '../apps/cli/stop-signals.ts';
import {
  checkpointRestorer, checkSameConfig, checkSameData, dataFingerprint, readCheckpoint, removeStaleTemporaries, writeCheckpoint,
} from '../src/model/checkpoint.ts';
import { configFromFlags, helpText, parseFlags, TRAIN_FLAGS } from '../apps/cli/flags.ts';
import { makeProgress } from '../apps/cli/progress.ts';
import { epochLine, formatErrors } from '../apps/cli/report.ts';
import { announceAndLoad } from '../apps/cli/run-setup.ts';
import { checkOutputDir, checkOutputFile } from '../apps/cli/output-paths.ts';
import { makeHeldOutCollector, thresholdsOf } from '../apps/report/analysis.ts';
import { analyseHeldOut, finishAnalysis, type ReportContext } from '../apps/report/build.ts';
import { addEpoch, newRunRecord } from '../src/model/run-record.ts';
import { writeReport } from '../apps/report/write-report.ts';

/** Test images the report analyses after each epoch but the last (the last uses all of them). */
const REPORT_EPOCH_IMAGES = 1000;

const USAGE = `Usage: npx tsx scripts/train.ts [options]

Trains a Forward-Forward network and prints its test error by goodness (the label whose pass is
best) and by the softmax head (one neutral pass). Presets:
${Object.entries(PRESETS).map(([k, p]) => `  ${k.padEnd(12)} ${p.about}`).join('\n')}`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const values = parseFlags(argv, TRAIN_FLAGS);
  if (values.help) {
    process.stdout.write(helpText(USAGE, TRAIN_FLAGS));
    return;
  }
  const cfg: Config = configFromFlags(values, TRAIN_FLAGS, { ...DEFAULT_CONFIG });
  checkConfig(cfg);
  // Every output path and the checkpoint to resume from, before the data and the training.
  if (cfg.save) checkOutputFile('save', cfg.save);
  if (cfg.report) checkOutputDir('report', cfg.report);
  if (cfg.checkpoint) checkOutputDir('checkpoint', cfg.checkpoint);
  if (cfg.checkpointEvery !== null && !cfg.checkpoint) throw new UserError('--checkpoint-every: needs --checkpoint DIR');
  const resumeFrom = cfg.resume ? readCheckpoint(cfg.resume) : null;
  if (resumeFrom) checkSameConfig(resumeFrom, cfg);
  const data = announceAndLoad(cfg);
  console.log(
    `data ${data.source}: train ${data.train.count}, validation ${data.validation?.count ?? 0}, test ${data.test.count}, ` +
      `${data.train.rows}×${data.train.cols}`,
  );
  const fingerprint = cfg.checkpoint || resumeFrom ? dataFingerprint(data) : null;
  if (resumeFrom) checkSameData(resumeFrom, fingerprint!);
  if (cfg.checkpoint) removeStaleTemporaries(cfg.checkpoint);

  const backend = makeBackend(cfg.backend, cfg.threads, (msg) => console.error(msg));
  console.log(`backend ${backend.name}, ${backend.threads} thread(s)`);
  if (resumeFrom) console.log(`resuming from ${cfg.resume} after ${resumeFrom.history.length} epoch(s) and ${resumeFrom.counters.step} step(s)`);
  const { perEpoch: stepsPerEpoch, epochs: totalEpochs } = stepCounts(cfg, data.train.count);
  let progress = makeProgress('epoch', 1, 'ex', !cfg.quiet);
  let epochNo = (resumeFrom?.history.length ?? 0) + 1, newBar = true;
  // The run's record (curves, errors, time) goes into the report and the saved model.
  const record = newRunRecord(data.source, data.train.count, data.test.count, resumeFrom?.history);
  // The report's analysis of the final test evaluation listens to that evaluation itself.
  const finalAnalysis = makeHeldOutCollector(data.test, data.classes, cfg.layers.length - 1, thresholdsOf(cfg));
  const reportContext = (trainer: Trainer): ReportContext => ({
    cfg, net: trainer.net, trainer, data, mm: backend.matmul.bind(backend), record, epochsTotal: totalEpochs,
  });
  let lastTrainer: Trainer | null = null;
  const stop = watchStopSignals();
  const t0 = performance.now();
  let result;
  try {
    result = await trainRunYielding(cfg, data, backend, {
      onStep: (done, total) => {
        if (newBar) progress = makeProgress(`epoch ${epochNo}/${totalEpochs}`, total, 'ex', !cfg.quiet);
        newBar = false;
        progress.update(done);
      },
      onEpoch: (r, trainer) => {
        progress.end();
        console.log(epochLine(r, totalEpochs, cfg.loss));
        epochNo = r.epoch + 1;
        newBar = true;
        addEpoch(record, r, stepsPerEpoch * cfg.batchSize);
        lastTrainer = trainer;
        if (cfg.report && r.epoch < totalEpochs) {
          // Between epochs: the analysis runs on the first test images only, to keep it cheap.
          const n = Math.min(REPORT_EPOCH_IMAGES, data.test.count);
          const ctx = reportContext(trainer);
          writeReport(cfg.report, ctx, analyseHeldOut(ctx, data.test, n), `on the first ${n} test images, after epoch ${r.epoch}`, false);
        }
      },
      betweenSteps: (at, snapshot) => {
        const signal = stop.requested();
        const due = cfg.checkpointEvery !== null ? at.stepsDone % cfg.checkpointEvery === 0 : at.epochEnded;
        if (cfg.checkpoint && (due || signal)) writeCheckpoint(cfg.checkpoint, snapshot(), cfg, fingerprint!);
        if (signal) {
          progress.end();
          const where = `${signal} at epoch ${at.epoch}, step ${at.step} (${at.stepsDone} of ${at.totalSteps} steps)`;
          throw new Interrupted(signal, cfg.checkpoint
            ? `${where}; checkpoint in ${cfg.checkpoint}; resume with: npx tsx scripts/train.ts ${resumeArgs(argv, cfg.checkpoint)}`
            : `${where}; nothing saved (with --checkpoint DIR the run could be resumed)`);
        }
      },
      testObserver: cfg.report ? finalAnalysis.observer : undefined,
    }, resumeFrom ? checkpointRestorer(resumeFrom, cfg) : undefined);
  } catch (err) {
    backend.close();
    throw err;
  } finally {
    stop.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `test error: ${formatErrors(result.test)} (${data.test.count} images; ${seconds.toFixed(1)} s in all, ` +
      `${result.examplesPerSecond.toFixed(0)} training ex/s)`,
  );
  const validated = result.epochs.filter((e) => e.validationSeconds !== undefined);
  if (validated.length > 0) {
    const valSeconds = validated.reduce((t, e) => t + e.validationSeconds!, 0);
    const share = (100 * valSeconds) / result.trainSeconds;
    console.log(`validation: ${valSeconds.toFixed(1)} s over ${validated.length} epoch(s), ${share.toFixed(0)}% of the ` +
      `${result.trainSeconds.toFixed(1)} s of training steps (--epoch-validation ${cfg.epochValidation})`);
  }
  Object.assign(record, { test: result.test, seconds, trainSeconds: result.trainSeconds, examplesPerSecond: result.examplesPerSecond });
  if (cfg.report && lastTrainer) {
    const ctx = reportContext(lastTrainer);
    const analysis = finishAnalysis(ctx, finalAnalysis, data.test, data.test.count);
    const { path, bytes } = writeReport(cfg.report, ctx, analysis, `on all ${data.test.count} test images, after the last epoch`, true);
    console.log(`report ${path} (${(bytes / 1e6).toFixed(2)} MB)`);
  }
  backend.close();
  if (cfg.save) {
    saveNetwork(cfg.save, result.net, cfg, record);
    console.log(`saved ${cfg.save}`);
  }
  if (cfg.json) {
    console.log(JSON.stringify({
      config: cfg, test: { goodnessError: result.test.goodness, softmaxError: result.test.softmax },
      epochs: result.epochs.map((e) => ({
        epoch: e.epoch, validation: e.validation, validationSeconds: e.validationSeconds ?? null, layers: e.layers, headLoss: e.headLoss,
      })),
      seconds, trainSeconds: result.trainSeconds, examplesPerSecond: result.examplesPerSecond,
    }));
  }
}

/** The same arguments with --resume DIR (replacing any --resume already there), shell-quoted. */
function resumeArgs(argv: string[], dir: string): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--resume') i++;
    else if (!argv[i]!.startsWith('--resume=')) kept.push(argv[i]!);
  }
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [...kept, '--resume', dir].map(quote).join(' ');
}

await runMain(main);
