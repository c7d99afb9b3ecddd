// Everything the playground's browser code takes from the library, in one place: the browser-safe
// part of the public API (src/index.ts also exports file readers and the Node thread pool, which
// a page cannot bundle) plus the byte-level pieces a page needs. No logic of its own.
export { DEFAULT_CONFIG, type Config, type Mode } from '../config.ts';
export { PRESETS, MODE_DEFAULT_PRESET } from '../presets.ts';
export { configFromFlags, parseFlags, TRAIN_FLAGS } from '../cli/flags.ts';
export { checkConfig, checkConfigAgainstData } from '../check-config.ts';
export { UserError } from '../errors.ts';
export { parseIdx } from '../data/idx-bytes.ts';
export { datasetFromIdx, IDX_NAMES, type Dataset, type Split } from '../data/split.ts';
export { trainRunYielding, buildNetwork, makeTrainer, stepCounts, type EpochReport, type RunResult } from '../train-run.ts';
export type { Trainer, TestErrors } from '../ff/trainer.ts';
export type { Network } from '../ff/network.ts';
export { encodeModel, modelFromSafetensors } from '../model-format.ts';
export { decodeSafetensors } from '../io/safetensors-bytes.ts';
export { fnv1a } from '../io/checksum.ts';
export { addEpoch, epochTrained, newRunRecord, type RunRecord } from '../report/run-record.ts';
export { strongestUnits, receptiveFieldTiles, signedTilesRgb } from '../report/signed-tiles.ts';
export { makeWasmMatmul } from '../linalg/wasm/matmul.ts';
export { wasmSimdAvailable } from '../linalg/wasm/simd.ts';
export type { SpawnThread } from '../linalg/wasm/pool.ts';
export { createJsMatmul, type MatmulBackend } from '../linalg/backend.ts';
