// Learning-rate schedules: lr at step `step` (0-based) of `total` steps, from a base rate.
// `constant`: lr = base.  `linear-decay`: Hinton's Matlab rule, exactly, with his 1-based
// epoch e = step + 1:  gain = 1 if e <= total/2, else (1 + 2·(total − e)) / total; lr = base·gain.
// Equivalently, in the second half lr = base·2·(total − step − 1/2)/total: the line from base at
// the midpoint to 0 at the end, read at the centre of each step. The last step gets base/total.
// A "step" is whatever the caller counts (Hinton: epochs); call with epochs to match his code.
import type { Config } from '../config/config.ts';

/** A schedule's name (the --schedule field of the table of options). */
export type LrSchedule = Config['schedule'];

/** The learning rate of step `step` in [0, totalSteps). */
export function lrAt(schedule: LrSchedule, baseLr: number, step: number, totalSteps: number): number {
  if (!Number.isSafeInteger(totalSteps) || totalSteps < 1) {
    throw new Error(`lrAt: totalSteps must be an integer >= 1, got ${totalSteps}`);
  }
  if (!Number.isSafeInteger(step) || step < 0 || step >= totalSteps) {
    throw new Error(`lrAt: step must be an integer in [0, ${totalSteps}), got ${step}`);
  }
  switch (schedule) {
    case 'constant':
      return baseLr;
    case 'linear-decay': {
      const e = step + 1; // Hinton's 1-based epoch number
      const gain = e <= totalSteps / 2 ? 1 : (1 + 2 * (totalSteps - e)) / totalSteps; // his `epsgain`
      return baseLr * gain;
    }
    default: {
      const unknown: never = schedule;
      throw new Error(`lrAt: unknown schedule ${String(unknown)}`);
    }
  }
}
