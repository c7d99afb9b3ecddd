// Serve the playground: train a Forward-Forward network in the browser, draw digits for it, save
// and load models (apps/play/). From the sources it bundles the browser code at start (the compiled
// package serves its prebuilt page), then prints the URL. For a folder any static host can serve,
// see build-site.ts.
//
//   npx tsx scripts/play.ts                 # http://127.0.0.1:8321/
//   npx tsx scripts/play.ts --port 9000 --host 127.0.0.1
//   npx tsx scripts/play.ts --help
import { runMain } from '../apps/cli/errors.ts';
import { flagValue, helpText, int, parseFlags, type FlagSpec } from '../apps/cli/flags.ts';
import { startPlayServer } from '../apps/play/server.ts';
import { dataFiles, playgroundPage } from '../apps/play/site.ts';

const USAGE = `Usage: npx tsx scripts/play.ts [options]

Serves the Forward-Forward playground and prints its URL: train in the page (the wasm kernel on
Web Workers), watch the curves and receptive fields, draw a digit, download or load a model.
Serves only its own files; binds to 127.0.0.1 unless --host says otherwise. Ctrl-C stops it.`;

const PLAY_FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  port: { field: null, kind: 'string', value: 'N', help: 'port to listen on (default 8321; 0 = any free port)', parse: int(0, 65535) },
  host: { field: null, kind: 'string', value: 'ADDR', help: 'address to bind (default 127.0.0.1)' },
};

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), PLAY_FLAGS);
  if (values.help) {
    process.stdout.write(helpText(USAGE, PLAY_FLAGS));
    return;
  }
  const port = flagValue(values, PLAY_FLAGS, 'port', 8321);
  const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
  const site = new Map([...await playgroundPage(), ...dataFiles()]);
  const server = await startPlayServer(site, host, port);
  console.log(`playground ${server.url}`);
  const stop = (): void => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await runMain(main);
