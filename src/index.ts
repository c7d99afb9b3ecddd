// The public API of forward-forward-ts: what a program needs to train and use Forward-Forward
// networks without the command line. `import { ... } from 'forward-forward-ts'` resolves to this
// file compiled (dist/src/index.js and its .d.ts, through package.json "exports"); in a checkout,
// programs import it as TypeScript through tsx. The README's "Use it from a program" section is a
// complete example (test/package.test.ts runs it from the installed tarball).
// Everything here is re-exported from the file that defines it; nothing is computed in this file.

// Config and presets.
export { DEFAULT_CONFIG, scoredLayerNumbers, type Backend, type Config, type Mode, type Negatives, type OptimizerName } from './config/config.ts';
export { applyPreset, MODE_DEFAULT_PRESET, PRESETS, type Preset } from './config/presets.ts';
export { checkConfig, checkConfigAgainstData } from './run/check-config.ts';
export { DivergedError, Interrupted, UserError } from './errors.ts';

// Data: IDX files (MNIST by default) or arrays.
export { IDX_NAMES, loadDataset, sliceSplit, type Dataset, type LoadOptions, type Split } from './data/dataset.ts';
export { ARRAY_CLASSES, datasetFromArrays, splitFromArrays, type ArrayDatasetOptions, type ArraySplit } from './data/from-arrays.ts';

// A network, the trainer of each mode, a whole run, evaluation.
export type { Network } from './ff/network.ts';
export { makeSupervisedTrainer } from './ff/modes/supervised.ts';
export { makeUnsupervisedTrainer } from './ff/modes/unsupervised.ts';
export { initRecurrentNetwork, makeRecurrentTrainer } from './ff/modes/recurrent.ts';
export type { EvalObserver, Method, StepStats, TestErrors, Trainer } from './ff/trainer.ts';
export {
  buildNetwork, makeStreams, makeTrainer, stepCounts, trainRun, trainRunYielding, type EpochReport, type RunHooks, type RunResult,
} from './run/train-run.ts';
export { evaluate, train } from './run/train-evaluate.ts';
export { makeBackend } from './run/backend.ts';
export type { MatmulBackend } from './linalg/backend.ts';

// Saved models (safetensors).
export { loadModel, loadModelFile, MODEL_FORMAT, saveNetwork } from './model/model-io.ts';
export { modelConfig, type ModelConfig } from './config/stored.ts';
