// User-facing errors.
// A UserError is a mistake the user can fix (a bad flag, a missing or corrupt file). Scripts catch
// it at the top, print its one-line message and exit with code 2, with no stack trace. Any other
// exception is a bug in this project and keeps its stack trace.

export class UserError extends Error {
  override name = 'UserError';
}

/** Run a script's main; print a UserError as one line and exit 2, rethrow anything else. */
export async function runMain(main: () => void | Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
