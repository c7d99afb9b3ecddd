// Cross-field checks of a Config, once flags and presets are applied: things no single flag's
// parser can see (scored layers against --layers, the input width against the dataset, ...).
// Each failure is a UserError naming the flag(s) involved.
import { DEFAULT_CONFIG, scoredLayerNumbers, type Config } from '../config/config.ts';
import { UserError } from '../errors.ts';
import { totalmem } from 'node:os';
import { estimateMemory } from './memory-estimate.ts';
import { parseReceptiveField } from '../config/receptive-field-spec.ts';
import { resolveFields } from '../ff/inputs/receptive-field.ts';

export function checkConfig(cfg: Config): void {
  const L = cfg.layers.length - 1;
  if (L < 1) throw new UserError(`--layers: need the input width and at least one hidden layer, got ${cfg.layers.join(',')}`);
  const scored = scoredLayerNumbers(cfg);
  if (scored.length === 0) throw new UserError(`--scored-layers: no layer left to score with ${L} hidden layer(s) (skip-first needs at least 2)`);
  const bad = scored.find((s) => s < 1 || s > L);
  if (bad !== undefined) throw new UserError(`--scored-layers: layer ${bad} does not exist; --layers has hidden layers 1..${L}`);
  if (!cfg.shortcuts && cfg.mode !== 'supervised') {
    throw new UserError(`--no-shortcuts applies to --mode supervised only (the ${cfg.mode} step has no shortcut)`);
  }
  if (cfg.mode === 'recurrent') {
    if (cfg.greedy) throw new UserError('--greedy does not apply to --mode recurrent (every layer depends on the one above)');
    if (cfg.readoutEpochs > 0) throw new UserError('--readout-epochs does not apply to --mode recurrent (its head reads the iterated states)');
    const [from, to] = cfg.scoreIterations;
    if (!(from >= 1 && from <= to && to <= cfg.iterations)) {
      throw new UserError(`--score-iterations ${from},${to}: need 1 ≤ first ≤ last ≤ --iterations (${cfg.iterations})`);
    }
  }
  if (cfg.receptiveField !== null) {
    if (cfg.mode === 'recurrent') {
      throw new UserError('--receptive-field applies to --mode supervised and unsupervised (the recurrent net\'s layers also read the layer above)');
    }
    resolveFields(parseReceptiveField(cfg.receptiveField), cfg.layers);
  }
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) {
    throw new UserError(`--dropout ${cfg.dropout}: the probability of dropping a unit must be ≥ 0 and < 1`);
  }
  if (cfg.loss !== 'symba' && cfg.symbaAlpha !== DEFAULT_CONFIG.symbaAlpha) {
    throw new UserError(`--symba-alpha applies to --loss symba only (this run's loss is ${cfg.loss})`);
  }
  if (cfg.act !== 'relu' && cfg.mode !== 'unsupervised') {
    throw new UserError(`--act ${cfg.act} applies to --mode unsupervised only (the ${cfg.mode} step passes y up)`);
  }
  if (cfg.contrast !== 'hybrid' && cfg.mode !== 'unsupervised') throw new UserError(`--contrast ${cfg.contrast} applies to --mode unsupervised only`);
  if (cfg.views !== 1 && cfg.contrast !== 'scff') {
    throw new UserError(`--views ${cfg.views} applies to --contrast scff only (its positive pairs are made of views of one image)`);
  }
  if (cfg.views !== 1 && cfg.shift === 0) {
    throw new UserError(`--views ${cfg.views} needs --shift K > 0 (two views of an image differ only by their shifts)`);
  }
  if (cfg.act === 'triangle' && cfg.dropout > 0) {
    throw new UserError('--dropout does not apply with --act triangle (the triangle activity is passed up undropped)');
  }
  if (cfg.mode === 'supervised' && cfg.layers[0]! <= 10) {
    throw new UserError(`--layers: the input width ${cfg.layers[0]} leaves no room for the 10 label pixels`);
  }
  checkMemory(cfg);
}

/** Fraction of the machine's memory a run's estimated buffers may take. */
const MEMORY_SHARE = 0.8;

/** Refuse, before anything is allocated, a config whose buffers cannot fit (memory-estimate.ts). */
export function checkMemory(cfg: Config, machineBytes = totalmem()): void {
  const est = estimateMemory(cfg);
  const gb = (b: number): string => `${(b / 1e9).toFixed(1)} GB`;
  const what = `--batch-size ${cfg.batchSize} with --layers ${cfg.layers.join(',')}`;
  if (est.wasm > est.wasmLimit) {
    throw new UserError(
      `${what}: the largest matrix product needs about ${gb(est.wasm)} of wasm memory, over its ${gb(est.wasmLimit)} limit; ` +
        'use a smaller --batch-size (or --backend js)',
    );
  }
  const total = est.buffers + est.wasm;
  if (total > MEMORY_SHARE * machineBytes) {
    throw new UserError(
      `${what}: needs about ${gb(total)} of buffers, more than ${MEMORY_SHARE * 100}% of this machine's ${gb(machineBytes)}; ` +
        'use a smaller --batch-size or narrower --layers',
    );
  }
}

/** After loading data: the input width must be the images' pixel count. */
export function checkConfigAgainstData(cfg: Config, pixels: number, rows: number, cols: number, trainCount: number): void {
  if (cfg.layers[0] !== pixels) {
    throw new UserError(`--layers: the input width is ${cfg.layers[0]} but the images have ${rows}×${cols} = ${pixels} pixels`);
  }
  if (cfg.receptiveField !== null) {
    const { image } = parseReceptiveField(cfg.receptiveField);
    if (image.rows !== rows || image.cols !== cols) {
      throw new UserError(`--receptive-field: the image grid is ${image.rows}x${image.cols} but the images are ${rows}×${cols}`);
    }
  }
  if (cfg.shift >= Math.min(rows, cols)) {
    throw new UserError(`--shift ${cfg.shift}: a shift must be smaller than the ${rows}×${cols} images (at most ${Math.min(rows, cols) - 1})`);
  }
  if (cfg.batchSize > trainCount) {
    throw new UserError(`--batch-size ${cfg.batchSize} is larger than the ${trainCount} training images`);
  }
}
