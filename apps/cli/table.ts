// Plain-text tables for the terminal (eval.ts's per-iteration table, the benchmark's report): a
// header, a rule, and right-aligned columns (the first column left-aligned). Widths count what a
// terminal shows, so combining marks such as the hat of x̂ take no column. Formatting only: no
// numbers are computed here.

/** Columns a string occupies on a terminal (combining marks take none). */
function displayWidth(s: string): number {
  return [...s.replace(/\p{M}/gu, '')].length;
}

function pad(s: string, width: number, left: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return left ? s + fill : fill + s;
}

/** The lines of a table: header, rule, rows; first column left-aligned, the others right. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[c] ?? ''))));
  const line = (cells: string[]): string => cells.map((x, c) => pad(x, widths[c]!, c === 0)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** A number with `digits` decimals, or '-' when it is not finite. */
export function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

/** Digits that suit a rate's size: 2 below 10, 1 below 1000, else none. */
export function rate(x: number): string {
  return fixed(x, Math.abs(x) < 10 ? 2 : Math.abs(x) < 1000 ? 1 : 0);
}
