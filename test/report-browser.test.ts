// The report as a person sees it: train.ts --report for each mode (small nets on MNIST), then the
// page opened from disk in a real headless Chromium. Asserted: no console error, uncaught
// exception or failed request; every section of the mode present; every chart drew (a canvas
// whose pixels are not all one colour); every picture decoded with pixels that are not all one
// value. Screenshots go to out/screenshots/ (ignored by git). A browser that does not start fails
// the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser, watchedPage } from './browser.ts';

/** The in-page measurement (test/page-facts.js), evaluated as text. */
const PAGE_FACTS = readFileSync(new URL('./page-facts.js', import.meta.url), 'utf8');

const COMMON = ['--layers', '784,200,200', '--epochs', '2', '--train-limit', '3000', '--test-limit', '1000', '--quiet'];
const CASES = [
  // charts: 4 per-epoch curves (+ validation error), a histogram per layer, the per-layer error
  // (not unsupervised), 2 by-iteration (recurrent)
  {
    mode: 'supervised', args: ['--validation', '500'],
    sections: ['run', 'curves', 'histograms', 'fields', 'trained-on', 'confusion', 'wrong', 'layers'], charts: 8,
  },
  {
    mode: 'unsupervised', args: ['--mode', 'unsupervised', '--lr', '0.001'],
    sections: ['run', 'curves', 'histograms', 'fields', 'trained-on', 'confusion', 'wrong', 'layers'], charts: 6,
  },
  {
    mode: 'recurrent', args: ['--mode', 'recurrent', '--lr', '0.001', '--label-strength', '15'],
    sections: ['run', 'curves', 'histograms', 'fields', 'trained-on', 'confusion', 'wrong', 'layers', 'iterations'], charts: 9,
  },
] as const;

interface PageFacts {
  sections: string[];
  charts: { id: string; canvases: number; distinctPixels: number }[];
  chartsDrawn: string | undefined;
  images: { alt: string; width: number; distinctValues: number }[];
}

test('the report of every mode renders in Chromium: every section, every chart drawn, every picture decoded', async () => {
  const shots = resolve('out', 'screenshots');
  mkdirSync(shots, { recursive: true });
  const browser = await launchBrowser();
  try {
    for (const c of CASES) {
      const dir = resolve('out', 'test-reports', c.mode);
      const r = spawnSync(process.execPath, ['--import', 'tsx', join('scripts', 'train.ts'), ...COMMON, ...c.args, '--report', dir],
        { encoding: 'utf8', timeout: 240_000 });
      assert.equal(r.status, 0, `${c.mode}: train.ts failed: ${r.stderr}`);

      const problems: string[] = [];
      const page = await watchedPage(browser, problems);
      await page.setViewport({ width: 1200, height: 900 });
      await page.goto(pathToFileURL(join(dir, 'index.html')).href, { waitUntil: 'load' });
      await page.waitForFunction('document.body.dataset.chartsDrawn !== undefined', { timeout: 10_000 });
      const facts = (await page.evaluate(PAGE_FACTS)) as PageFacts;
      await page.screenshot({ path: join(shots, `report-${c.mode}.png`), fullPage: true });
      await page.close();

      assert.deepEqual(problems, [], `${c.mode}: the page reported problems`);
      assert.deepEqual(facts.sections, [...c.sections], `${c.mode}: sections`);
      assert.equal(facts.charts.length, c.charts, `${c.mode}: charts on the page: ${facts.charts.map((x) => x.id).join(', ')}`);
      assert.equal(facts.chartsDrawn, String(c.charts), `${c.mode}: page.js drew every declared chart`);
      for (const ch of facts.charts) {
        assert.ok(ch.canvases >= 1, `${c.mode}: chart ${ch.id} has no canvas`);
        assert.ok(ch.distinctPixels > 3, `${c.mode}: chart ${ch.id} looks empty (${ch.distinctPixels} colours)`);
      }
      // receptive fields, label weights (not unsupervised), training rows, and the wrong cases
      assert.ok(facts.images.length >= (c.mode === 'unsupervised' ? 2 : 3) + 1, `${c.mode}: ${facts.images.length} pictures`);
      for (const im of facts.images) {
        assert.ok(im.width > 0, `${c.mode}: picture '${im.alt}' did not decode`);
        assert.ok(im.distinctValues > 1, `${c.mode}: picture '${im.alt}' is one flat colour`);
      }
    }
  } finally {
    await browser.close();
  }
});

test('report.ts --curves-png saves the curves section, drawn in Chromium, as a PNG the size of the section', () => {
  const dir = resolve('out', 'test-reports', 'curves-png');
  mkdirSync(dir, { recursive: true });
  const model = join(dir, 'model.safetensors');
  const png = join(dir, 'curves.png');
  const train = spawnSync(process.execPath, ['--import', 'tsx', join('scripts', 'train.ts'), '--layers', '784,20', '--epochs', '2',
    '--train-limit', '1000', '--validation', '200', '--test-limit', '200', '--quiet', '--save', model], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(train.status, 0, `train.ts failed: ${train.stderr}`);
  rmSync(png, { force: true });
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('scripts', 'report.ts'), '--model', model, '--out', join(dir, 'report'),
    '--test-limit', '200', '--curves-png', png], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `report.ts failed: ${r.stderr}`);
  const m = /^curves .*curves\.png \((\d+)×(\d+)\)$/m.exec(r.stdout);
  assert.ok(m, `report.ts did not say where the picture went: ${r.stdout}`);
  const bytes = readFileSync(png);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  const [w, h] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  assert.deepEqual([w, h], [Number(m[1]), Number(m[2])], 'the picture is the size report.ts printed');
  // five charts (loss, goodness, pair error, head, validation) in a two-column grid: three rows
  assert.ok(w > 1000 && w <= 1200, `width ${w}`);
  assert.ok(h > 3 * 250, `height ${h}: fewer rows of charts than expected`);
});
