// The one typed configuration of a run, and its default, both derived from the table of fields
// (fields.ts): a field's type is what its parser returns, its default the row's default, its
// comment the row's help. Scripts parse flags into it (apps/cli/flags.ts), presets override it
// (presets.ts), and it is passed down explicitly. Nothing reads options from anywhere else.
import { fieldRows, type Field, type FieldName, type Fields } from './fields.ts';

type ValueOf<F> = F extends Field<infer T> ? T : never;

/** Every option of every mode, one field per row of the table of fields (fields.ts). */
export type Config = { [K in FieldName]: ValueOf<Fields[K]> };

export type Mode = Config['mode'];
export type OptimizerName = Config['optimizer'];
export type Negatives = Config['negatives'];
export type Contrast = Config['contrast'];
export type Backend = Config['backend'];

/** The default run: fast and good (see presets.ts for how it was chosen); the rows' defaults, in the table's order. */
export const DEFAULT_CONFIG: Readonly<Config> = Object.fromEntries(fieldRows().map(([name, f]) => [name, f.default])) as unknown as Config;

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
