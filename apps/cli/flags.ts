// Command-line flags → one validated Config. The flags of train.ts are the table of fields
// (src/config/fields.ts): every field with a flag, its parser, placeholder and help line; a script
// adds its own flags (field: null) beside them. An unknown flag, a missing value or a malformed one
// is a UserError naming the flag and what was expected. Presets apply first, then flags.
import type { Config, Mode } from '../../src/config/config.ts';
import { UserError } from '../../src/errors.ts';
import { FIELDS, fieldRows, type FieldKind } from '../../src/config/fields.ts';
import type { Parser } from '../../src/config/parsers.ts';
import { applyPreset, MODE_DEFAULT_PRESET } from '../../src/config/presets.ts';

export { int, intList, nullableInt, num, oneOf } from '../../src/config/parsers.ts';

export interface FlagSpec {
  field: keyof Config | null; // the Config field it sets; null for flags the script handles itself
  kind: 'string' | 'boolean';
  value?: string; // placeholder in the help text
  help: string;
  parse?: Parser<unknown>;
  negate?: boolean; // a boolean flag that sets its field to false (--no-…)
}

/** The flags of train.ts: --help, then every field of the table that has a flag, in the table's order. */
export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  ...Object.fromEntries(fieldRows().filter(([, f]) => f.flag !== null).map(([name, f]) => [f.flag!, {
    field: name, kind: f.value === undefined ? 'boolean' : 'string', help: f.help,
    ...(f.value !== undefined ? { value: f.value, parse: f.parse } : {}), ...(f.negate ? { negate: true } : {}),
  } satisfies FlagSpec])),
};

/** train.ts's flags without the fields of these kinds (a script that writes no model takes no 'output' flag). */
export function trainFlagsWithout(...kinds: FieldKind[]): Record<string, FlagSpec> {
  return Object.fromEntries(Object.entries(TRAIN_FLAGS).filter(([, s]) => s.field === null || !kinds.includes(FIELDS[s.field].kind)));
}

/**
 * Parse argv with `flags`; returns the raw values by flag name (a later repeat wins). `--name value`
 * and `--name=value` for string flags, `--name` alone for boolean ones. Unknown flags, a missing
 * value and stray arguments are UserErrors. Plain TypeScript, no Node built-in, so that the
 * playground parses its "more flags" box with the same code.
 */
export function parseFlags(argv: string[], flags: Record<string, FlagSpec>): Record<string, string | boolean | undefined> {
  const values: Record<string, string | boolean | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--') || a === '--') {
      if (/^-[^-\d]/.test(a)) throw new UserError(`unknown flag ${a} (flags are long: --name; see --help)`);
      throw new UserError(`unexpected argument '${a}' (flags start with --; see --help)`);
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const spec = Object.hasOwn(flags, name) ? flags[name] : undefined;
    if (!spec) throw new UserError(`unknown flag --${name} (see --help)`);
    if (spec.kind === 'boolean') {
      if (eq >= 0) throw new UserError(`--${name} takes no value (see --help)`);
      values[name] = true;
    } else if (eq >= 0) {
      values[name] = a.slice(eq + 1);
    } else {
      // A value may start with a dash only where it reads as a number (`--epochs -1`), so that the
      // flag's own parser reports it; `--lr --epochs 3` is a missing value.
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && !/^-[\d.]/.test(next))) throw new UserError(`--${name}: missing value (see --help)`);
      values[name] = next;
      i++;
    }
  }
  return values;
}

/** The --model PATH of a script that reads a saved model (eval, report, readout); without it, a UserError. */
export function requiredModel(values: Record<string, string | boolean | undefined>): string {
  if (typeof values.model !== 'string') throw new UserError('--model PATH is required (a file written by train.ts --save)');
  return values.model;
}

/** A flag's value through its own parser, or `fallback` when the flag was not given. */
export function flagValue<T>(values: Record<string, string | boolean | undefined>, flags: Record<string, FlagSpec>, name: string, fallback: T): T {
  const raw = values[name];
  return raw === undefined ? fallback : (flags[name]!.parse!(String(raw), name) as T);
}

/**
 * Flags → Config: defaults, then the preset (--preset, or with --mode alone that mode's default
 * preset), then every other flag.
 */
export function configFromFlags(values: Record<string, string | boolean | undefined>, flags: Record<string, FlagSpec>, base: Config): Config {
  const mode = values.mode === undefined ? undefined : (flags.mode?.parse?.(values.mode as string, 'mode') as Mode | undefined);
  const presetName = typeof values.preset === 'string' ? values.preset : mode !== undefined ? MODE_DEFAULT_PRESET[mode] : null;
  const cfg: Config = presetName ? applyPreset(base, presetName, mode) : { ...base };
  for (const [name, raw] of Object.entries(values)) {
    const spec = flags[name];
    if (!spec || spec.field === null || name === 'preset' || raw === undefined) continue;
    (cfg as unknown as Record<string, unknown>)[spec.field] = spec.kind === 'boolean'
      ? (spec.negate ? !raw : raw)
      : spec.parse ? spec.parse(raw as string, name) : raw;
  }
  return cfg;
}

/**
 * True when this runs as the compiled package, whose scripts are the subcommands of its bin
 * (scripts/forward-forward-ts.ts): their usage then names `npx forward-forward-ts train`, not
 * `npx tsx scripts/train.ts`, which exists only in a checkout.
 */
const COMPILED = import.meta.url.endsWith('.js');

/** The --help text: usage line, then one aligned line per flag. */
export function helpText(usage: string, flags: Record<string, FlagSpec>): string {
  if (COMPILED) usage = usage.replace(/npx tsx scripts\/([\w-]+)\.ts/g, 'npx forward-forward-ts $1');
  const rows = Object.entries(flags).map(([name, s]) => [`--${name}${s.value ? ` ${s.value}` : ''}`, s.help] as const);
  const width = Math.max(...rows.map(([a]) => a.length));
  return `${usage}\n\nOptions:\n${rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`).join('\n')}\n`;
}
