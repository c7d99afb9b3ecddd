// Named starting points for a run. Each preset says where its numbers come from; flags given
// with it override its fields. 'default' is the plain DEFAULT_CONFIG of src/config/config.ts; each mode
// has a default preset (MODE_DEFAULT_PRESET), which --mode alone starts from.
import type { Config, Mode } from './config.ts';
import { UserError } from '../errors.ts';

export interface Preset {
  mode: Mode; // the mode it is for
  about: string; // where its numbers come from
  fields: Partial<Config>;
}

/** Hinton's Matlab recipe (the 'hinton' preset), which 'hinton-aug' extends. */
const HINTON: Partial<Config> = {
  layers: [784, 1000, 1000, 1000], epochs: 100, batchSize: 100, optimizer: 'sgd', lr: 0.01, headLr: 0.1,
  smoothing: 0.9, weightCost: 0.001, headWeightCost: 0.003, schedule: 'linear-decay', norm: 'rms',
  goodness: 'sum', threshold: null, negatives: 'hard', peerNorm: 0.03, scoredLayers: 'skip-first',
  labelStrength: 1, neutralLabel: 0.1, greedy: false,
};

/** The default recurrent recipe (the 'recurrent' preset), which 'recurrent-aug' extends. */
const RECURRENT: Partial<Config> = { mode: 'recurrent', layers: [784, 500, 500], scoredLayers: 'all', negatives: 'hard', lr: 0.001, labelStrength: 15 };

export const PRESETS: Record<string, Preset> = {
  default: {
    mode: 'supervised',
    about: 'fast and good: the default of the table of fields, src/config/fields.ts (chosen by measurement; docs/RESULTS.md lists the numbers)',
    fields: {},
  },
  hinton: {
    mode: 'supervised',
    about: "Hinton's Matlab recipe (ffcode): 3×1000, rms, Σy² with θ = width, batch 100, smoothed SGD " +
      'lr 0.01 (head 0.1), smoothing 0.9, weight cost 0.001 (head 0.003), linear decay over the second half, ' +
      'hard negatives, peer normalisation 0.03, first hidden layer not scored, 100 epochs; published 1.44% / 1.47%',
    fields: HINTON,
  },
  'hinton-aug': {
    mode: 'supervised',
    about: "the hinton recipe with augmentation and regularisation (the forward-forward-rs recipe, published 0.69% at 200 epochs): " +
      'random ±1 pixel shifts, 10% dropout in the FF layers, weight cost 0.002, 60 epochs; measured here 1.05% / 0.91% ' +
      '(goodness / softmax) after 60 epochs on 50 000 images, the last 10 000 held out for validation',
    fields: { ...HINTON, epochs: 60, weightCost: 0.002, shift: 1, dropout: 0.1 },
  },
  reference: {
    mode: 'supervised',
    about: 'the PyTorch reference (mpezeshki/pytorch_forward_forward): 784-500-500, l2, mean goodness θ = 2, ' +
      'Adam 0.03, one full batch of the first 50 000 training images, greedy, 1000 steps per layer, random ' +
      'wrong labels, all layers scored; published 6.84%. Label value 1 (the max pixel of [0,1] images)',
    fields: {
      layers: [784, 500, 500], epochs: 1000, batchSize: 50000, trainLimit: 50000, optimizer: 'adam', lr: 0.03,
      schedule: 'constant', norm: 'l2', goodness: 'mean', threshold: null, negatives: 'random', peerNorm: 0,
      greedy: true, scoredLayers: 'all', labelStrength: 1,
    },
  },
  'seed-small': {
    mode: 'supervised',
    about: "the original project's small supervised net [784,64,32] (it reached 9.55%), trained with the default recipe at Adam 0.003",
    fields: { layers: [784, 64, 32], lr: 0.003 },
  },
  'seed-large': {
    mode: 'supervised',
    about: "the original project's large supervised net [784,2000,2000] (it reached 6.48%), trained with the default recipe at Adam 0.003",
    fields: { layers: [784, 2000, 2000], lr: 0.003 },
  },
  'unsupervised': {
    mode: 'unsupervised',
    about: 'the default of --mode unsupervised: 3×500, hybrid negatives, head on the last three layers, Adam 0.001 ' +
      '(0.003 kills units in small nets: seed-unsup-small gave 10.33% at 0.003, 7.60% at 0.001, 89.7% at 0.01)',
    fields: { mode: 'unsupervised', layers: [784, 500, 500, 500], scoredLayers: 'last-3', lr: 0.001 },
  },
  'seed-unsup-small': {
    mode: 'unsupervised',
    about: "the original project's small unsupervised net [784,64,64,64,64] (it reached 64.6%), trained with the unsupervised default recipe (Adam 0.001)",
    fields: { mode: 'unsupervised', layers: [784, 64, 64, 64, 64], scoredLayers: 'last-3', lr: 0.001 },
  },
  'seed-unsup-large': {
    mode: 'unsupervised',
    about: "the original project's large unsupervised net [784,1000,1000,1000,1000] (it reached 68.1%), trained with the unsupervised default recipe",
    fields: { mode: 'unsupervised', layers: [784, 1000, 1000, 1000, 1000], scoredLayers: 'last-3', lr: 0.001 },
  },
  'hinton-unsup': {
    mode: 'unsupervised',
    about: 'the paper\'s unsupervised run: 4×2000, hybrid negatives, softmax on the last three layers, 100 epochs ' +
      "(Hinton's optimiser recipe as in the 'hinton' preset, without peer normalisation); published 1.37%",
    fields: {
      mode: 'unsupervised', layers: [784, 2000, 2000, 2000, 2000], epochs: 100, batchSize: 100, optimizer: 'sgd', lr: 0.01,
      headLr: 0.1, smoothing: 0.9, weightCost: 0.001, headWeightCost: 0.003, schedule: 'linear-decay', norm: 'rms',
      goodness: 'sum', threshold: null, peerNorm: 0, scoredLayers: 'last-3', greedy: false,
    },
  },
  'hinton-local': {
    mode: 'unsupervised',
    about: "the paper's local-receptive-field net (§3.2, unsupervised, footnote on its architecture): no weight sharing; layer 1 a 4×4 grid " +
      'of locations at stride 6, each seeing a 10×10 pixel patch with 128 units; layer 2 a 3×3 grid of 220 units, each seeing all units of ' +
      '2×2 adjacent locations below; layer 3 a 2×2 grid of 512 units, the same; peer normalisation; 60 epochs; published 1.16%. Our reading ' +
      "where the paper is silent: hybrid negatives and the optimiser recipe of 'hinton-unsup' (smoothed SGD 0.01, weight cost 0.001, " +
      'λ = 0.03 as in the hinton preset), the softmax on layers 2 and 3 (the paper found that layer 1 hurts the readout of the dense net)',
    fields: {
      mode: 'unsupervised', layers: [784, 2048, 1980, 2048], receptiveField: '28x28,4x4/10,3x3/2,2x2/2', epochs: 60, batchSize: 100,
      optimizer: 'sgd', lr: 0.01, headLr: 0.1, smoothing: 0.9, weightCost: 0.001, headWeightCost: 0.003, schedule: 'linear-decay',
      norm: 'rms', goodness: 'sum', threshold: null, peerNorm: 0.03, scoredLayers: 'skip-first', greedy: false,
    },
  },
  scff: {
    mode: 'unsupervised',
    about: 'Self-Contrastive FF (Chen et al., Nature Communications 2025; its MNIST code): 2×2000, an image beside itself against ' +
      'an image beside another, each standardised, --norm std, mean goodness with θ = 4 and θ⁻ = 6, the triangle activity passed up, ' +
      'Adam 0.003, random ±1 pixel shifts of the training images, 20 epochs, then 10 epochs of a linear readout on both layers; ' +
      'published 98.7% (1.3%). Our reading: all layers at once with the first layer\'s θ, θ⁻ and rate (the code trains layer by ' +
      'layer with per-layer settings); the shift of 1 chosen on a 10 000-image validation split (1.86% against 2.16% without)',
    fields: {
      mode: 'unsupervised', layers: [784, 2000, 2000], epochs: 20, batchSize: 100, optimizer: 'adam', lr: 0.003, schedule: 'linear-decay',
      contrast: 'scff', norm: 'std', goodness: 'mean', threshold: 4, thresholdNeg: 6, act: 'triangle', peerNorm: 0, scoredLayers: 'all',
      greedy: false, readoutEpochs: 10, shift: 1,
    },
  },
  recurrent: {
    mode: 'recurrent',
    about: 'the default of --mode recurrent: 2×500 hidden layers, 8 damped iterations, score over iterations 3–5, Adam 0.001, ' +
      'hard negatives, label layer scaled ×15 after normalisation (measured: docs/RESULTS.md); trains in minutes',
    fields: RECURRENT,
  },
  'recurrent-aug': {
    mode: 'recurrent',
    about: "the recurrent preset with hinton-aug's augmentation: random ±1 pixel shifts, 10% dropout of every layer's state " +
      'in the iterations that learn, 24 epochs (measured: docs/RESULTS.md)',
    fields: { ...RECURRENT, shift: 1, dropout: 0.1, epochs: 24 },
  },
  'hinton-recurrent': {
    mode: 'recurrent',
    about: "the paper's recurrent net (§3.4): three hidden layers of 2000 ReLUs (the paper's width; the depth is our reading) between image and label, " +
      "8 iterations, damping 0.3, goodness averaged over iterations 3–5, 60 epochs, batch 100; published 1.31%. The optimiser " +
      "and label scale are the 'recurrent' preset's (Adam 0.001, label ×15): Hinton's smoothed SGD at lr 0.01 did not learn here",
    fields: {
      mode: 'recurrent', layers: [784, 2000, 2000, 2000], epochs: 60, batchSize: 100, optimizer: 'adam', lr: 0.001, headLr: 0.01,
      schedule: 'linear-decay', norm: 'rms', goodness: 'sum', labelStrength: 15,
      threshold: null, negatives: 'hard', peerNorm: 0, scoredLayers: 'all', iterations: 8, damping: 0.3, scoreIterations: [3, 5],
    },
  },
};

/** The preset each mode starts from when --mode is given without --preset. */
export const MODE_DEFAULT_PRESET: Record<Mode, string> = { supervised: 'default', unsupervised: 'unsupervised', recurrent: 'recurrent' };

/** base with the preset's fields applied; a preset of another mode than `mode` (if given) is an error. */
export function applyPreset(base: Config, name: string, mode?: string): Config {
  const preset = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (!preset) throw new UserError(`--preset: unknown preset '${name}'; expected one of ${Object.keys(PRESETS).join(', ')}`);
  if (mode !== undefined && mode !== preset.mode) {
    throw new UserError(`--preset ${name} is for --mode ${preset.mode}, not --mode ${mode}`);
  }
  return { ...base, mode: preset.mode, ...preset.fields, preset: name };
}
