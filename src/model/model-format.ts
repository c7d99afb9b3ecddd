// A trained FF network as safetensors bytes, and back: the format of saved models, the same in
// Node (model-io.ts writes and reads the files) and in a browser (the playground's download and
// upload). Tensors: `layer{l}.weight` (D, H) and `layer{l}.bias` (H) for l = 1..L (1-based,
// row-major, fan-in × fan-out, so z = x̂·W + b), `head.weight` (F, C) and `head.bias` (C).
// Metadata: `format` = "forward-forward-ts/1", `config` = modelConfig as JSON, `scored` = the scored
// layers (1-based, comma list), and `history` = the run's record without wall-clock times.
import { DEFAULT_CONFIG, type Config } from '../config/config.ts';
import { UserError } from '../errors.ts';
import { configFromStored, modelConfig } from '../config/stored.ts';
import { checkConfig } from '../run/check-config.ts';
import type { Network } from '../ff/network.ts';
import { recordFromJson, recordToJson, timeless, type RunRecord } from './run-record.ts';
import { encodeSafetensors, getF32, type SafetensorsFile, type TensorToWrite } from '../io/safetensors-bytes.ts';

export const MODEL_FORMAT = 'forward-forward-ts/1';

/** The model file's bytes: the same network, config and record give the same bytes. */
/**
 * The network's tensors under the names a model file uses; with `peerMeans`, also each layer's
 * `layer{l}.peer_mean` (a checkpoint keeps them; a model does not need them to predict).
 */
export function networkTensors(net: Network, peerMeans = false): TensorToWrite[] {
  const tensors: TensorToWrite[] = [];
  net.layers.forEach((l, i) => {
    tensors.push({ name: `layer${i + 1}.weight`, shape: [l.D, l.H], data: l.W });
    tensors.push({ name: `layer${i + 1}.bias`, shape: [l.H], data: l.b });
    if (peerMeans) tensors.push({ name: `layer${i + 1}.peer_mean`, shape: [l.H], data: l.peerMean });
  });
  tensors.push({ name: 'head.weight', shape: [net.head.F, net.head.C], data: net.head.W });
  tensors.push({ name: 'head.bias', shape: [net.head.C], data: net.head.b });
  return tensors;
}

/** Copy networkTensors' tensors from `file` into `net`, each checked for its shape. */
export function fillNetwork(net: Network, file: SafetensorsFile, peerMeans = false): void {
  for (const t of networkTensors(net, peerMeans)) (t.data as Float32Array).set(getF32(file, t.name, t.shape));
}

export function encodeModel(net: Network, cfg: Config, record?: RunRecord): Uint8Array {
  return encodeSafetensors(networkTensors(net), {
    format: MODEL_FORMAT,
    config: JSON.stringify(modelConfig(cfg)),
    scored: net.scored.map((s) => s + 1).join(','),
    ...(record ? { history: recordToJson(timeless(record)) } : {}), // no wall-clock times: same seed, same bytes
  });
}

/** A decoded model: its Config, its run record (null if saved without one), and a filler of a fresh network. */
export interface StoredModel {
  cfg: Config;
  record: RunRecord | null;
  fill: (net: Network) => void;
}

/** Check a decoded safetensors file as a model of this project; every problem is a UserError naming `file.source`. */
export function modelFromSafetensors(file: SafetensorsFile): StoredModel {
  const path = file.source;
  if (file.metadata.format !== MODEL_FORMAT) {
    throw new UserError(
      `${path}: not a model of this project (metadata format is '${file.metadata.format ?? '(none)'}', expected '${MODEL_FORMAT}')`,
    );
  }
  let stored: unknown;
  try {
    stored = JSON.parse(file.metadata.config ?? '');
  } catch {
    throw new UserError(`${path}: the model's config metadata is not valid JSON`);
  }
  const cfg = configFromStored(stored, { ...DEFAULT_CONFIG }, path);
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
    fill: (net: Network) => fillNetwork(net, file),
  };
}
