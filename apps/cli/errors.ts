// The one place that maps how a script ends to an exit code (the classes are in src/errors.ts).
// UserError: exit 2. DivergedError: exit 3. Interrupted: exit 130 (SIGINT) / 143 (SIGTERM).
// Each prints one line on stderr, no stack trace. Any other exception is a bug in this project
// and keeps its stack trace.
import { DivergedError, Interrupted, UserError } from '../../src/errors.ts';

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
