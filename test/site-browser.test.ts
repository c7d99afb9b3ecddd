// The playground as a static site, as a person puts it on a host: `build-site.ts --out DIR`
// (npm run build:site) writes the folder; a plain static file server (a few lines of node:http
// below, like `python3 -m http.server`) serves it. Without the COOP/COEP headers the page is not
// cross-origin isolated: it says it trains on one thread, trains there, and its model downloads
// with the bytes of train.ts on one thread. With the headers it is isolated, trains on 2 threads,
// the pool's workers take part in its products, and the bytes are train.ts's again. Built with
// --service-worker and served without headers, the page registers its service worker, reloads once,
// is isolated and trains on the pool, to the same bytes. Prints the checksums and examples/s of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import type { Page } from 'puppeteer-core';
import { launchBrowser, watchedPage } from './browser.ts';
import { trainInNode, trainInPage } from './play-run.ts';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

/** A plain static server of `dir` on 127.0.0.1, with `headers` added to every response. */
async function serveStatic(dir: string, headers: Record<string, string>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`, server };
}

/** Wait (10 s at most) until the page, reloaded under its service worker, is cross-origin isolated. */
async function untilIsolated(page: Page): Promise<void> {
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    const yes = await page.evaluate('crossOriginIsolated && document.readyState === "complete"').catch(() => false); // a reload may be under way
    if (yes) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const NAME = 'the static site: one thread without COOP/COEP, the pool with them (sent, or added by its service worker), train.ts\'s bytes every way';

test(NAME, { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-site-'));
  const shots = resolve('out', 'screenshots');
  mkdirSync(shots, { recursive: true });
  const site = join(dir, 'site');
  const built = spawnSync(process.execPath, ['--import', 'tsx', join('scripts', 'build-site.ts'), '--out', site], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stdout, /^wrote 11 files \([\d.]+ MiB\) to /);
  for (const f of ['index.html', 'page.js', 'train-worker.js', 'matmul-worker.js', 'uPlot.min.css', 'play.json', '_headers']) {
    assert.ok(existsSync(join(site, f)), `site/${f}`);
  }
  // The same site with --service-worker: a host without headers, isolated by the page's own service worker.
  const swSite = join(dir, 'site-sw');
  const builtSw = spawnSync(process.execPath, ['--import', 'tsx', join('scripts', 'build-site.ts'), '--out', swSite, '--service-worker'],
    { encoding: 'utf8' });
  assert.equal(builtSw.status, 0, builtSw.stderr);
  assert.ok(existsSync(join(swSite, 'coi-worker.js')) && !existsSync(join(site, 'coi-worker.js')), 'the service worker only when asked for');
  const plain = await serveStatic(site, {});
  const isolated = await serveStatic(site, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
  const bySw = await serveStatic(swSite, {});
  const browser = await launchBrowser();
  try {
    const runs = [];
    for (const [served, threads, how] of [[plain, 1, 'no headers'], [isolated, 2, 'headers'], [bySw, 2, 'service worker']] as const) {
      const problems: string[] = [];
      const page = await watchedPage(browser, problems);
      await page.goto(served.url, { waitUntil: 'load' });
      if (how === 'service worker') await untilIsolated(page); // it registers the worker and reloads once
      const isolatedPage = await page.evaluate('crossOriginIsolated') as boolean;
      assert.equal(isolatedPage, threads === 2, `${how}: cross-origin isolated exactly when the headers are sent (or added)`);
      const note = await page.evaluate(`document.getElementById('threads-note').textContent`) as string;
      if (threads === 1) assert.match(note, /^one thread: this page is not cross-origin isolated/);
      else assert.equal(note, '');
      const run = await trainInPage(page, 2); // 2 typed in the box: the page without headers keeps to 1
      await page.evaluate(`document.querySelector('nav button[data-view=learn]').click()`);
      await page.screenshot({ path: join(shots, `site-${how.replace(' ', '-')}.png`), fullPage: true });
      assert.equal(run.threads, threads, 'the threads the backend ran on');
      assert.ok(threads === 1 ? run.workerJobs === 0 : run.workerJobs > 0, `the pool's workers joined ${run.workerJobs} jobs`);
      await page.close();
      assert.deepEqual(problems, [], 'the page reported problems');
      const node = trainInNode(threads, dir);
      assert.equal(run.checksum, node.checksum, `${threads} thread(s): the page's model file must be train.ts's, byte for byte`);
      runs.push({ threads, run, node, how });
    }
    for (const { run, node, how } of runs) {
      console.log(`# static site, ${how}: ${run.threads} thread(s), ` +
        `model fnv1a ${run.checksum} (train.ts ${node.checksum}), ${run.examplesPerSecond.toFixed(0)} examples/s ` +
        `(train.ts ${node.examplesPerSecond.toFixed(0)}), workers joined ${run.workerJobs} jobs`);
    }
  } finally {
    await browser.close();
    for (const s of [plain, isolated, bySw]) s.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
