// Saving and loading a trained FF network as safetensors.
// Tensors: `layer{l}.weight` (D, H) and `layer{l}.bias` (H) for l = 1..L (1-based, row-major,
// fan-in × fan-out, so z = x̂·W + b), `head.weight` (F, C) and `head.bias` (C). Metadata:
// `format` = "forward-forward-ts/1", `config` = the run's Config as JSON (modelConfig), `scored` = the scored
// layers (1-based, comma list), and `history` = the run's record (src/report/run-record.ts: curves,
// test errors, time) when train.ts saved it. Readable from Python with safetensors.numpy.load_file alone.
import { DEFAULT_CONFIG, type Config } from './config.ts';
import { UserError } from './errors.ts';
import { configFromStored, TRAIN_FLAGS } from './cli/flags.ts';
import { checkConfig } from './check-config.ts';
import type { Network } from './ff/network.ts';
import { buildNetwork } from './train-run.ts';
import { recordFromJson, recordToJson, timeless, type RunRecord } from './report/run-record.ts';
import { getF32, readSafetensors, writeSafetensors, type TensorToWrite } from './io/safetensors.ts';

export const MODEL_FORMAT = 'forward-forward-ts/1';

/**
 * The config as stored with a model: everything that shapes the weights. Settings that cannot
 * change a bit of them (threads, output options) are left out, so the same training gives the
 * same file whatever the thread count.
 */
export function modelConfig(cfg: Config): ModelConfig {
  const { threads: _t, quiet: _q, json: _j, save: _s, report: _rp, checkpoint: _c, checkpointEvery: _e, resume: _r, ...kept } = cfg;
  return kept;
}

/** The fields of Config that shape the weights. */
export type ModelConfig = Omit<Config, 'threads' | 'quiet' | 'json' | 'save' | 'report' | 'checkpoint' | 'checkpointEvery' | 'resume'>;

export function saveNetwork(path: string, net: Network, cfg: Config, record?: RunRecord): void {
  const tensors: TensorToWrite[] = [];
  net.layers.forEach((l, i) => {
    tensors.push({ name: `layer${i + 1}.weight`, shape: [l.D, l.H], data: l.W });
    tensors.push({ name: `layer${i + 1}.bias`, shape: [l.H], data: l.b });
  });
  tensors.push({ name: 'head.weight', shape: [net.head.F, net.head.C], data: net.head.W });
  tensors.push({ name: 'head.bias', shape: [net.head.C], data: net.head.b });
  writeSafetensors(path, tensors, {
    format: MODEL_FORMAT,
    config: JSON.stringify(modelConfig(cfg)),
    scored: net.scored.map((s) => s + 1).join(','),
    ...(record ? { history: recordToJson(timeless(record)) } : {}), // no wall-clock times: same seed, same bytes
  });
}

/**
 * Read a saved model: its Config, its run record (null if it was saved without one) and a function
 * that copies its tensors into a fresh network.
 */
export function loadModelFile(path: string): { cfg: Config; record: RunRecord | null; fill: (net: Network) => void } {
  const file = readSafetensors(path);
  if (file.metadata.format !== MODEL_FORMAT) {
    throw new UserError(`${path}: not a model of this project (metadata format is '${file.metadata.format ?? '(none)'}', expected '${MODEL_FORMAT}')`);
  }
  let stored: unknown;
  try {
    stored = JSON.parse(file.metadata.config ?? '');
  } catch {
    throw new UserError(`${path}: the model's config metadata is not valid JSON`);
  }
  const cfg = configFromStored(stored, { ...DEFAULT_CONFIG }, TRAIN_FLAGS, path);
  if (!Array.isArray(cfg.layers) || cfg.layers.length < 2) throw new UserError(`${path}: the model's config has no valid 'layers'`);
  checkConfig(cfg);
  let record: RunRecord | null = null;
  if (file.metadata.history !== undefined) {
    const parsed = recordFromJson(file.metadata.history);
    if (parsed.problem !== null) throw new UserError(`${path}: the model's history metadata is ${parsed.problem}`);
    record = parsed.record;
  }
  return {
    cfg,
    record,
    fill: (net: Network) => {
      net.layers.forEach((l, i) => {
        l.W.set(getF32(file, `layer${i + 1}.weight`, [l.D, l.H]));
        l.b.set(getF32(file, `layer${i + 1}.bias`, [l.H]));
      });
      net.head.W.set(getF32(file, 'head.weight', [net.head.F, net.head.C]));
      net.head.b.set(getF32(file, 'head.bias', [net.head.C]));
    },
  };
}

/** A saved model as a ready network: its config, its run record (or null) and the network itself. */
export function loadModel(path: string, classes = 10): { cfg: Config; record: RunRecord | null; net: Network } {
  const { cfg, record, fill } = loadModelFile(path);
  const net = buildNetwork(cfg, classes);
  fill(net);
  return { cfg, record, net };
}
