// Adapter for the Step through view, TO BE FILLED IN: it must take its numbers from the observer
// that the real training step of every mode calls (the one scripts/inspect.ts traces), not from a
// second implementation of the step. Until that observer is in this tree, stepObserverAvailable()
// is false and the view says so; it shows no numbers.

/** True once this module is wired to the training step's observer. */
export function stepObserverAvailable(): boolean {
  return false;
}

/** What the view says while the adapter is empty. */
export const STEP_OBSERVER_MISSING =
  'Step through needs the observer of the real training step (the one scripts/inspect.ts traces); it is not wired into the playground yet, so no numbers are shown.';
