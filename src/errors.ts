// The ways a run can end other than by succeeding, as exception classes every layer may throw.
// UserError: a mistake the user can fix (a bad flag, a missing or corrupt file, a malformed array).
// DivergedError: the training produced a non-finite number (too large a learning rate).
// Interrupted: SIGINT or SIGTERM stopped the run between two steps.
// They sit at the bottom of the source tree so that data/, io/ and the library raise them without
// depending on the command line; apps/cli/errors.ts maps each to its exit code and one stderr line.

export class UserError extends Error {
  override name = 'UserError';
}

export class DivergedError extends Error {
  override name = 'DivergedError';
}

export type StopSignal = 'SIGINT' | 'SIGTERM';

export class Interrupted extends Error {
  override name = 'Interrupted';
  constructor(readonly signal: StopSignal, message: string) {
    super(message);
  }
}
