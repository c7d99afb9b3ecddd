// Saving and loading a trained FF network as a safetensors file (the format: model-format.ts).
// Saving writes atomically; loading reports a missing, unreadable or invalid file as a UserError
// naming it. Readable from Python with safetensors.numpy.load_file alone.
import type { Config } from '../config/config.ts';
import type { Network } from '../ff/network.ts';
import type { RunRecord } from './run-record.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { readSafetensors } from '../io/safetensors.ts';
import { encodeModel, modelFromSafetensors, type StoredModel } from './model-format.ts';
import { buildNetwork } from '../run/train-run.ts';

export { MODEL_FORMAT } from './model-format.ts';

export function saveNetwork(path: string, net: Network, cfg: Config, record?: RunRecord): void {
  writeFileAtomic(path, encodeModel(net, cfg, record)); // bad tensors throw before the disk is touched
}

/**
 * Read a saved model: its Config, its run record (null if it was saved without one) and a function
 * that copies its tensors into a fresh network.
 */
export function loadModelFile(path: string): StoredModel {
  return modelFromSafetensors(readSafetensors(path));
}

/** A saved model as a ready network: its config, its run record (or null) and the network itself. */
export function loadModel(path: string, classes = 10): { cfg: Config; record: RunRecord | null; net: Network } {
  const { cfg, record, fill } = loadModelFile(path);
  const net = buildNetwork(cfg, classes);
  fill(net);
  return { cfg, record, net };
}
