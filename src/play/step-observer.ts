// The Step through view's adapter: what the view shows of one training step (StepRecord), and the
// one function that makes it, recordStep. Its numbers must come from the observer that the real
// training step of every mode calls (the StepObserver that scripts/inspect.ts's trace listens to),
// never from a second implementation of the step. Until that observer is in this tree, the
// adapter is empty: stepObserverAvailable() is false, recordStep refuses, the view shows no numbers.
import type { Config, Dataset, MatmulBackend } from './api.ts';

/** One quantity of the step for the chosen image: its positive row, its negative row, or one tensor for the batch. */
export interface StepPanel {
  name: string; // e.g. 'x̂', 'z', 'dW'
  formula: string; // what it is, e.g. 'z = x̂·W + b'
  shape: number[]; // of one row ([D], [H], [] for a scalar) or of the matrix ([D, H])
  positive: number[]; // the positive row's values, or the matrix when negative is null
  negative: number[] | null;
  image?: [number, number]; // show a row of this length as rows×cols pixels (the input's image shape)
}

/** What the view shows of step K for image r of its batch. */
export interface StepRecord {
  about: string; // one line: mode, step, epoch, image, labels
  label: number; // the image's true label
  wrong: number | null; // the wrong label of its negative row (supervised, recurrent)
  input: StepPanel; // the rows the first layer reads (overlay or hybrid)
  layers: { layer: number; D: number; H: number; theta: number; panels: StepPanel[] }[];
  head: StepPanel[]; // the softmax head's features, probabilities and gradient for the image
}

/** True once this module is wired to the training step's observer. */
export function stepObserverAvailable(): boolean {
  return false;
}

/** What the view says while the adapter is empty. */
export const STEP_OBSERVER_MISSING =
  'Step through needs the observer of the real training step (the one scripts/inspect.ts traces), which is not in this build yet: no numbers are shown.';

/** Step `step` (1-based) of the run `cfg` on `data`, seen through the step's observer, for image `row` of its batch. */
export function recordStep(cfg: Config, data: Dataset, backend: MatmulBackend, step: number, row: number): StepRecord {
  void cfg; void data; void backend; void step; void row;
  throw new Error(STEP_OBSERVER_MISSING);
}
