// What the browser bundle gets for `node:util` (the playground's bundler maps the import here):
// command-line parsing exists only in scripts, so parseArgs is never reached in a page.

export function parseArgs(): never {
  throw new Error('parseArgs: there are no command-line flags in a browser');
}
