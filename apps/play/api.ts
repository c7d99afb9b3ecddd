// Everything the playground's browser code takes from the library, in one place: the browser-safe
// part of the public API (src/index.ts also exports file readers and the Node thread pool, which
// a page cannot bundle) plus the byte-level pieces a page needs. No logic of its own.
export { DEFAULT_CONFIG, type Config, type Mode } from '../../src/config/config.ts';
export { PRESETS, MODE_DEFAULT_PRESET } from '../../src/config/presets.ts';
export { fieldRows, inPage } from '../../src/config/fields.ts';
export { configFromFlags, parseFlags, TRAIN_FLAGS } from '../cli/flags.ts';
export { checkConfig, checkConfigAgainstData } from '../../src/run/check-config.ts';
export { UserError } from '../../src/errors.ts';
export { parseIdx } from '../../src/data/idx-bytes.ts';
export { datasetFromIdx, IDX_NAMES, type Dataset, type Split } from '../../src/data/split.ts';
export { trainRunYielding, buildNetwork, makeTrainer, stepCounts, type EpochReport, type RunResult } from '../../src/run/train-run.ts';
export type { StepStats, Trainer, TestErrors } from '../../src/ff/trainer.ts';
export type { LayerView, StepObserver } from '../../src/ff/step-observer.ts';
export type { Network } from '../../src/ff/network.ts';
export { encodeModel, modelFromSafetensors } from '../../src/model/model-format.ts';
export { decodeSafetensors } from '../../src/io/safetensors-bytes.ts';
export { fnv1a } from '../../src/io/checksum.ts';
export { addEpoch, epochTrained, newRunRecord, type RunRecord } from '../../src/model/run-record.ts';
export { strongestUnits, receptiveFieldTiles, signedTilesRgb, type RgbPixels } from '../report/signed-tiles.ts';
export { histogram, thresholdsOf, type Histogram } from '../report/analysis.ts';
export { makeWasmMatmul } from '../../src/linalg/wasm/matmul.ts';
export { wasmSimdAvailable } from '../../src/linalg/wasm/simd.ts';
export type { SpawnThread } from '../../src/linalg/wasm/pool.ts';
export { createJsMatmul, type MatmulBackend } from '../../src/linalg/backend.ts';
