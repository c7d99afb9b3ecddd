// The config as files keep it (a saved model's and a checkpoint's metadata), both ways, from the
// table of fields: what is stored (every field that can change a weight), and a stored config
// read back, each value checked by its field's own parser. Any problem is a UserError naming the
// file. A field added after the first files (`later` in the table) is stored only when it is not
// its default, so a run that does not use it keeps its bytes and an older file reads back with it.
import type { Config } from './config.ts';
import { FIELDS, isStored, type Field, type LaterName, type StoredName } from './fields.ts';
import { UserError } from '../errors.ts';

/** The fields of a Config that a model file stores (the later ones only when set). */
export type ModelConfig = Omit<Pick<Config, StoredName>, LaterName> & Partial<Pick<Config, LaterName>>;

const ROWS = FIELDS as Record<string, Field<unknown>>;

/**
 * The config as stored with a model: everything that shapes the weights. Settings that cannot
 * change a bit of them (threads, output options) are left out, so the same training gives the
 * same file whatever the thread count. Keys keep `cfg`'s order.
 */
export function modelConfig(cfg: Config): ModelConfig {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(cfg)) {
    const f = ROWS[name];
    if (!f || !isStored(f)) continue;
    if (f.later && value === f.default) continue;
    kept[name] = value;
  }
  return kept as ModelConfig;
}

/**
 * A Config stored in a file, checked field by field against the table: every stored field
 * known, of its default's type, and accepted by its parser (a number or string as its text, a
 * list as its comma list); a missing field keeps `base`'s value. The cross-field checks are the
 * caller's (checkConfig). `where` names the file.
 */
export function configFromStored(stored: unknown, base: Config, where: string): Config {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw new UserError(`${where}: the stored config is not a JSON object`);
  const cfg = { ...base } as Record<string, unknown>;
  for (const [name, value] of Object.entries(stored)) {
    const f = Object.hasOwn(ROWS, name) ? ROWS[name] : undefined;
    if (!f) throw new UserError(`${where}: the stored config has an unknown field '${name}'`);
    const bad = (): UserError => new UserError(`${where}: the stored config's ${name} is ${JSON.stringify(value)?.slice(0, 60)}, not a valid value`);
    const dflt = f.default;
    // The parser's own message names the flag; a field without a flag is named by the file alone.
    const check = (asText: string): void => {
      try {
        f.parse(asText, f.flag ?? name);
      } catch (err) {
        if (f.flag === null || !(err instanceof UserError)) throw bad();
        throw new UserError(`${where}: the stored config's ${name}: ${err.message}`);
      }
    };
    if (value === null) {
      if (dflt !== null) throw bad(); // null only where the default is null (an optional setting)
    } else if (Array.isArray(value)) {
      if (!(Array.isArray(dflt) || name === 'scoredLayers') || !value.every((x) => typeof x === 'number')) throw bad();
      check(value.join(','));
    } else if (typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number') {
      if (dflt !== null && typeof dflt !== typeof value) throw bad();
      if (typeof value !== 'boolean') check(String(value));
    } else throw bad();
    cfg[name] = value;
  }
  return cfg as Config;
}
