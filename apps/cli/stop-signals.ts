// SIGINT (Ctrl-C) and SIGTERM during training: the handler only records the signal; the training
// loop reads it between two steps, writes a checkpoint if it can and stops (errors.ts Interrupted:
// exit 130 / 143). A second signal while the first is being honoured exits at once with its code.
// Installed for the training only; `dispose` restores the default behaviour.
import { EXIT_CODES } from './errors.ts';
import type { StopSignal } from '../../src/errors.ts';

export interface StopSignals {
  requested(): StopSignal | null; // the first signal received, if any
  dispose(): void;
}

export function watchStopSignals(): StopSignals {
  let got: StopSignal | null = null;
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((sig) => {
    const h = (): void => {
      if (got !== null) process.exit(EXIT_CODES[sig]);
      got = sig;
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return {
    requested: () => got,
    dispose: () => handlers.forEach(([sig, h]) => process.off(sig, h)),
  };
}
