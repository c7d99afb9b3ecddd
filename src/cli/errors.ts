// How a run ends when it does not succeed, and the one place that maps that to an exit code.
// UserError: a mistake the user can fix (a bad flag, a missing or corrupt file): exit 2.
// DivergedError: the training produced a non-finite number (too large a learning rate): exit 3.
// Interrupted: SIGINT or SIGTERM stopped the run between two steps: exit 130 / 143.
// Each prints one line on stderr, no stack trace. Any other exception is a bug in this project
// and keeps its stack trace.

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

/** The exit code of each way a script can fail. */
export const EXIT_CODES = { user: 2, diverged: 3, SIGINT: 130, SIGTERM: 143 } as const;

/** Run a script's main; print a known failure as one line and exit with its code, rethrow anything else. */
export async function runMain(main: () => void | Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(EXIT_CODES.user);
    }
    if (err instanceof DivergedError) {
      process.stderr.write(`diverged: ${err.message}\n`);
      process.exit(EXIT_CODES.diverged);
    }
    if (err instanceof Interrupted) {
      process.stderr.write(`interrupted: ${err.message}\n`);
      process.exit(EXIT_CODES[err.signal]);
    }
    throw err;
  }
}
