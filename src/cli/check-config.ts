// Cross-field checks of a Config, once flags and presets are applied: things no single flag's
// parser can see (scored layers against --layers, the input width against the dataset, ...).
// Each failure is a UserError naming the flag(s) involved.
import { scoredLayerNumbers, type Config } from '../config.ts';
import { UserError } from './errors.ts';

export function checkConfig(cfg: Config): void {
  const L = cfg.layers.length - 1;
  if (L < 1) throw new UserError(`--layers: need the input width and at least one hidden layer, got ${cfg.layers.join(',')}`);
  const scored = scoredLayerNumbers(cfg);
  if (scored.length === 0) throw new UserError(`--scored-layers: no layer left to score with ${L} hidden layer(s) (skip-first needs at least 2)`);
  const bad = scored.find((s) => s < 1 || s > L);
  if (bad !== undefined) throw new UserError(`--scored-layers: layer ${bad} does not exist; --layers has hidden layers 1..${L}`);
  if (cfg.mode === 'recurrent') {
    if (cfg.greedy) throw new UserError('--greedy does not apply to --mode recurrent (every layer depends on the one above)');
    const [from, to] = cfg.scoreIterations;
    if (!(from >= 1 && from <= to && to <= cfg.iterations)) {
      throw new UserError(`--score-iterations ${from},${to}: need 1 ≤ first ≤ last ≤ --iterations (${cfg.iterations})`);
    }
  }
  if (cfg.mode === 'supervised' && cfg.layers[0]! <= 10) throw new UserError(`--layers: the input width ${cfg.layers[0]} leaves no room for the 10 label pixels`);
}

/** After loading data: the input width must be the images' pixel count. */
export function checkConfigAgainstData(cfg: Config, pixels: number, rows: number, cols: number, trainCount: number): void {
  if (cfg.layers[0] !== pixels) {
    throw new UserError(`--layers: the input width is ${cfg.layers[0]} but the images have ${rows}×${cols} = ${pixels} pixels`);
  }
  if (cfg.batchSize > trainCount) {
    throw new UserError(`--batch-size ${cfg.batchSize} is larger than the ${trainCount} training images`);
  }
}
