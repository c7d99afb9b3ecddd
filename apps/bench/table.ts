// The benchmark's table of measured rows, laid out by the terminal table formatter
// (apps/cli/table.ts). Formatting only: the numbers come from summary.ts.
import { fixed, formatTable, rate } from '../cli/table.ts';
import type { Row } from './summary.ts';

/** The table of measured rows: what, backend, threads, median/min/max rate, median ms, (share of the time in matmul), reps, noise. */
export function rowsTable(rows: Row[]): string[] {
  const unit = rows[0]?.unit ?? '';
  const share = rows.some((r) => r.matmulShare !== undefined);
  return formatTable(
    ['case', 'backend', 'thr', `median ${unit}`, 'min', 'max', 'median ms', ...(share ? ['in matmul'] : []), 'reps', 'foreign', 'waited s', 'tries'],
    rows.map((r) => [
      r.label, r.backend, String(r.threads), rate(r.median), rate(r.min), rate(r.max), fixed(r.medianMs, 1),
      ...(share ? [r.matmulShare === undefined ? '-' : `${fixed(100 * r.matmulShare, 0)}%`] : []),
      String(r.reps), fixed(r.foreign, 2), fixed(r.waitedS, 0), String(r.tries),
    ]),
  );
}
