// The playground as a person uses it: `scripts/play.ts` started as a process (its URL read from
// stdout), the page opened in a real headless Chromium. Asserted: the page is cross-origin
// isolated and loads with no console error; a small run (with flags typed into the more-flags box)
// draws one point per epoch and shows a test error; its model downloads with the same bytes (fnv1a)
// as `train.ts --save` with the same flags, on 1 and on 2 threads; refused more-flags are messages;
// drawing on the canvas with the mouse gives a prediction; a model
// saved by train.ts loads, a corrupt one gives a message on the page; no path outside the
// server's own files is served; a busy port is one line and exit 2. Prints examples/s of the
// browser against Node for the same run, 1 and 2 threads. Screenshots go to out/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { launchBrowser, watchedPage } from './browser.ts';
import { MORE, RUN, startPlay, trainInNode, trainInPage, view } from './play-run.ts';

/** GET a raw path (not normalised by any client) and return the status code. */
function rawStatus(url: string, path: string): Promise<number> {
  const u = new URL(url);
  return new Promise((res, rej) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (r) => { r.resume(); res(r.statusCode ?? 0); });
    req.on('error', rej);
    req.end();
  });
}

/** Distinct colours of a canvas (capped at 50), measured in the page. */
async function canvasColours(page: Page, selector: string): Promise<number> {
  return await page.evaluate(`(() => { const cv = document.querySelector(${JSON.stringify(selector)}); ` +
    "const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data; const s = new Set(); " +
    'for (let i = 0; i < d.length && s.size < 50; i += 4) s.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); return s.size; })()') as number;
}

test('the playground: trains in the page to the bytes of train.ts, draws, loads, refuses what it must', { timeout: 240_000 }, async () => {
  const shots = resolve('out', 'screenshots');
  mkdirSync(shots, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'ff-play-'));
  const { child, url } = await startPlay();
  const browser = await launchBrowser();
  try {
    // Only its own files: traversal and source paths are 404.
    for (const path of [
      '/../package.json', '/mnist/../../package.json', '/%2e%2e/package.json', '/mnist/..%2f..%2fpackage.json', '/src/play/page.ts', '/package.json',
      '//etc/passwd',
    ]) {
      assert.equal(await rawStatus(url, path), 404, `${path} must not be served`);
    }
    assert.equal(await rawStatus(url, '/mnist/t10k-labels-idx1-ubyte'), 200);

    // A busy port: one line, exit 2.
    const busy = spawnSync(
      process.execPath, ['--import', 'tsx', join('scripts', 'play.ts'), '--port', new URL(url).port], { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(busy.status, 2, busy.stderr);
    assert.match(busy.stderr, /^error: --port: 127\.0\.0\.1:\d+ is already in use[^\n]*\n$/);

    const problems: string[] = [];
    const page = await watchedPage(browser, problems);
    await page.setViewport({ width: 1280, height: 1000 });
    await page.goto(url, { waitUntil: 'load' });
    assert.equal(await page.evaluate('crossOriginIsolated'), true, 'the page must be cross-origin isolated (COOP/COEP)');

    // The more-flags box: a terminal-only flag, a flag with its own box and an unknown one are
    // messages on the page, and nothing starts.
    for (const [typed, expected] of [
      ['--save m.safetensors', /^error: more flags: --save is for train\.ts in a terminal/],
      ['--epochs 3', /^error: more flags: --epochs has its own box above$/],
      ['--shift', /^error: --shift: missing value/],
      ['--bogus 1', /^error: unknown flag --bogus/],
    ] as const) {
      await page.evaluate(
        `(() => { const el = document.getElementById('more'); el.value = ${JSON.stringify(typed)}; el.dispatchEvent(new Event('input')); })()`,
      );
      await page.click('#start');
      await page.waitForFunction(`document.getElementById('status').className === 'err'`, { timeout: 10_000 });
      assert.match(await page.evaluate(`document.getElementById('status').textContent`) as string, expected);
      assert.equal(await page.evaluate(`document.getElementById('start').disabled`), false, 'Start is usable again');
      await page.evaluate(`document.getElementById('status').className = 'note'`);
    }

    // Train on 1 and 2 threads; Node trains the same run with train.ts.
    const browserRuns = [await trainInPage(page, 1), await trainInPage(page, 2)];
    assert.match(await page.evaluate(`document.getElementById('command').textContent`) as string, new RegExp(`--seed 1 ${MORE} --threads 2$`));
    await view(page, 'learn');
    await page.screenshot({ path: join(shots, 'play-train.png'), fullPage: true });
    const nodeRuns = [1, 2].map((threads) => trainInNode(threads, dir));
    for (const [i, b] of browserRuns.entries()) {
      const steps = String((Number(RUN.epochs) * Number(RUN['train-limit'])) / Number(RUN['batch-size']));
      assert.deepEqual(b.points.slice(0, 3), [steps, steps, steps], 'a point per step on the loss, goodness and pair-error curves');
      assert.match(b.testText, /test error on 500 images: goodness \d+\.\d\d%, softmax \d+\.\d\d%/);
      assert.equal(b.checksum, nodeRuns[i]!.checksum, `${i + 1} thread(s): the page's model file must be train.ts's, byte for byte`);
      assert.equal(b.threads, i + 1);
      assert.ok(i === 0 ? b.workerJobs === 0 : b.workerJobs > 0, `${i + 1} thread(s): the pool's workers joined ${b.workerJobs} jobs`);
    }
    assert.ok(await canvasColours(page, '#fields') > 3, 'receptive fields drawn');
    for (const [i, b] of browserRuns.entries()) {
      const n = nodeRuns[i]!;
      console.log(`# examples/s, ${i + 1} thread(s): browser ${b.examplesPerSecond.toFixed(0)}, node ${n.examplesPerSecond.toFixed(0)}, ` +
        `browser/node ${(b.examplesPerSecond / n.examplesPerSecond).toFixed(2)}`);
    }
    console.log(`# model fnv1a: browser ${browserRuns.map((b) => b.checksum).join(', ')}; node ${nodeRuns.map((n) => n.checksum).join(', ')}`);

    // Draw a 7 with the mouse: a prediction with goodness per layer and the head's probabilities.
    await view(page, 'draw');
    const pad = (await page.$('#pad'))!;
    const box = (await pad.boundingBox())!;
    const pts: [number, number][] = [[70, 60], [210, 60], [170, 140], [130, 230]];
    await page.mouse.move(box.x + pts[0]![0], box.y + pts[0]![1]);
    await page.mouse.down();
    for (const [x, y] of pts.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(`document.getElementById('prediction').dataset.prediction`, { timeout: 10_000 });
    const drawn = await page.evaluate(`({ p: document.getElementById('prediction').dataset.prediction, ` +
      `rows: document.querySelectorAll('#goodness tr').length, bars: document.querySelectorAll('#probs .bar').length })`,
    ) as { p: string; rows: number; bars: number };
    assert.match(drawn.p, /^\d$/);
    assert.equal(drawn.rows, 11, 'a goodness row per label under the header');
    assert.equal(drawn.bars, 10, 'a probability per label');
    await page.screenshot({ path: join(shots, 'play-draw.png') });

    // Load: train.ts's model, then a corrupt file.
    await view(page, 'files');
    const input = (await page.$('#load')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(nodeRuns[0]!.save);
    await page.waitForFunction(`document.getElementById('load-result').dataset.checksum`, { timeout: 10_000 }).catch(async (e) => {
      const shown = await page.evaluate(`document.getElementById('load-result').textContent + ' | ' + document.getElementById('status').textContent`);
      throw new Error(`${e}: ${shown}`);
    });
    assert.equal(await page.evaluate(`document.getElementById('load-result').dataset.checksum`), nodeRuns[0]!.checksum);
    const corrupt = join(dir, 'corrupt.safetensors');
    writeFileSync(corrupt, readFileSync(nodeRuns[0]!.save).subarray(0, 5000));
    await input.uploadFile(corrupt);
    await page.waitForFunction(`document.getElementById('load-result').className === 'err'`, { timeout: 10_000 });
    const message = await page.evaluate(`document.getElementById('load-result').textContent`) as string;
    assert.match(message, /^error: corrupt\.safetensors: /);
    await page.screenshot({ path: join(shots, 'play-files.png') });
    assert.equal(await page.evaluate('1 + 1'), 2, 'the tab is alive after a corrupt file');

    // Step through: step 1 of the Train tab's run on a small net, image 2 of its batch: every
    // intermediate of both rows, from the trace of the real step (the numbers: test/trace-step.test.ts).
    await view(page, 'step');
    await page.evaluate(`(() => { document.getElementById('step-row').value = '2'; })()`);
    await page.click('#step-go');
    await page.waitForFunction(`document.getElementById('step').dataset.shown || document.querySelector('#step .err')`, { timeout: 30_000 });
    const names = await page.evaluate(`[...document.querySelectorAll('#step tr[data-name]')].map((t) => t.dataset.name)`) as string[];
    const perLayer = ['x', 'x̂', 'z', 'y', 'keep', 'G', 'p', 'L', 'dL/dG', 'dZ', 'dW', 'ΔW']; // keep: the more box's --dropout 0.1 reaches the step
    assert.deepEqual(names, ['rows', ...perLayer, ...perLayer, 'features', 'probs', 'dLogits']);
    assert.match(await page.evaluate(`document.querySelector('#step p').textContent`) as string,
      /^supervised step 1 .* row 2 of 8 in the batch, label \d, wrong label \d$/);
    await page.screenshot({ path: join(shots, 'play-step.png') });
    await page.close();
    assert.deepEqual(problems, [], 'the page reported problems');
  } finally {
    await browser.close();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
