// The value parsers of the options: a string (a flag's value, or a stored value written as one)
// to a typed value, or a one-line UserError that names the flag and what was expected. The table
// of fields (fields.ts) gives each option one of these; the command line, stored configs and the
// playground all check values through them.
import { UserError } from '../errors.ts';

/** value → T, or a UserError naming `--${flag}`. */
export type Parser<T> = (value: string, flag: string) => T;

export function int(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (v, flag) => {
    if (!/^[+-]?\d+$/.test(v.trim())) throw new UserError(`--${flag}: expected a whole number, got '${v}'`);
    const n = Number(v);
    if (n < min || n > max) {
      throw new UserError(`--${flag}: expected a whole number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}, got ${v}`);
    }
    return n;
  };
}

/** A finite number in [min, max] (or (min, max] when !minInclusive, [min, max) when !maxInclusive). */
export function num(min: number, max = Infinity, minInclusive = true, maxInclusive = true): Parser<number> {
  return (v, flag) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UserError(`--${flag}: expected a number, got '${v}'`);
    if ((minInclusive ? n < min : n <= min) || (maxInclusive ? n > max : n >= max)) {
      const upper = max < Infinity ? ` and ${maxInclusive ? '≤' : '<'} ${max}` : '';
      throw new UserError(`--${flag}: expected a number ${minInclusive ? '≥' : '>'} ${min}${upper}, got ${v}`);
    }
    return n;
  };
}

export function oneOf<const C extends readonly string[]>(...choices: C): Parser<C[number]> {
  return (v, flag) => {
    if (!choices.includes(v)) throw new UserError(`--${flag}: expected one of ${choices.join(', ')}, got '${v}'`);
    return v as C[number];
  };
}

export function intList(min: number): Parser<number[]> {
  return (v, flag) => {
    const parts = v.split(',');
    if (parts.some((p) => !/^\s*\d+\s*$/.test(p))) {
      throw new UserError(`--${flag}: expected comma-separated whole numbers like 784,500,500, got '${v}'`);
    }
    const ns = parts.map(Number);
    if (ns.some((n) => n < min)) throw new UserError(`--${flag}: every value must be at least ${min}, got '${v}'`);
    return ns;
  };
}

/** A whole number ≥ min, or 'all' / 'none' for no limit (null). */
export const nullableInt = (min: number): Parser<number | null> => (v, flag) => (v === 'all' || v === 'none' ? null : int(min)(v, flag));

/** Any text: a path or a name that its user checks (a preset name, a folder). */
export const text: Parser<string> = (v) => v;

/** 'true' or 'false': how a boolean is written when a stored value is checked as text. */
export const bool: Parser<boolean> = (v, flag) => {
  if (v !== 'true' && v !== 'false') throw new UserError(`--${flag}: expected true or false, got '${v}'`);
  return v === 'true';
};
