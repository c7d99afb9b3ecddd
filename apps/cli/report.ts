// How a run's results read on the terminal: the per-epoch line and the test-error summary.
// Formatting only; nothing here computes a statistic.
import type { LossKind } from '../../src/ff/layer/definitions.ts';
import type { TestErrors } from '../../src/ff/trainer.ts';
import type { EpochReport } from '../../src/run/train-run.ts';

export const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** "goodness 1.23%, softmax 1.40%", leaving out the methods a mode does not have. */
export function formatErrors(e: TestErrors): string {
  const parts: string[] = [];
  if (e.goodness !== null) parts.push(`goodness ${pct(e.goodness)}`);
  if (e.softmax !== null) parts.push(`softmax ${pct(e.softmax)}`);
  return parts.join(', ');
}

/**
 * One line per epoch: time, speed, each layer's loss, goodness and pair error, head loss, validation.
 * `loss` names the layers' loss: 'ff' prints `loss` (the mean FF loss per row), 'symba' prints
 * `symba` (the mean SymBa loss per pair), so a number is never read as the other.
 */
export function epochLine(r: EpochReport, epochs: number, loss: LossKind = 'ff'): string {
  const name = loss === 'ff' ? 'loss' : 'symba';
  const layers = r.layers
    .map((l, i) => `L${i + 1} ${name} ${l.loss.toFixed(4)} G+ ${l.goodPos.toFixed(2)} G- ${l.goodNeg.toFixed(2)} pairerr ${pct(l.pairError)}`)
    .join(' | ');
  const valTime = r.validationSeconds === undefined ? '' : ` (${r.validationSeconds.toFixed(1)}s)`;
  const val = r.validation ? ` | val err ${formatErrors(r.validation)}${valTime}` : '';
  const greedy = r.trainingLayer === null ? '' : r.trainingLayer === 0 ? ' (readout)' : ` (layer ${r.trainingLayer})`;
  const trained = r.trainingLayer === 0 ? '' : ` | ${layers}`; // a readout epoch trains no layer
  return `epoch ${String(r.epoch).padStart(3)}/${epochs}${greedy} ${r.seconds.toFixed(1)}s ${r.examplesPerSecond.toFixed(0)} ex/s${trained}` +
    ` | head ${r.headLoss.toFixed(4)}${val}`;
}
