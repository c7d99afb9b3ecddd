// The playground's Learn view as a person meets it, in a real headless Chromium against
// `scripts/play.ts`: the page opens on a run that learns with no click (its curves move; the time
// from navigation to the first moving curve is printed); the positive and negative rows of the step,
// the histograms and the network are drawn; hovering a unit of layer 1 shows its details; Pause
// stops the curves, One step takes exactly one step and shows it; a setting given in the URL is the
// run's after a reload, and the mode selector switches modes (its paragraph marked, the URL
// updated); a digit drawn on the pad gets a prediction; a formula opens the step-through on the
// live run's step. The same run with every view on and with none gives the same model bytes; its
// examples/s with views on against off (same browser, one run) is printed. Screenshots of every
// view go to out/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'puppeteer-core';
import { launchBrowser, watchedPage } from './browser.ts';
import { RUN, startPlay, trainInPage, view } from './play-run.ts';

const text = async (page: Page, id: string): Promise<string> => await page.evaluate(`document.getElementById('${id}').textContent`) as string;
const points = async (page: Page): Promise<number> =>
  Number(await page.evaluate(`document.getElementById('chart-loss').dataset.points || 0`));

test('the Learn view: learns on open, hover, pause, one step, URL settings, modes, drawing, views on/off', { timeout: 240_000 }, async () => {
  const shots = resolve('out', 'screenshots');
  mkdirSync(shots, { recursive: true });
  const { child, url } = await startPlay();
  const browser = await launchBrowser();
  try {
    const problems: string[] = [];
    const page = await watchedPage(browser, problems);
    await page.setViewport({ width: 1280, height: 1000 });

    // Open: no click; the loss curve gets points and keeps getting more.
    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(`Number(document.getElementById('chart-loss').dataset.points || 0) >= 2`, { timeout: 30_000 });
    const firstCurve = Date.now() - t0;
    const n1 = await points(page);
    await page.waitForFunction(`Number(document.getElementById('chart-loss').dataset.points || 0) > ${n1}`, { timeout: 10_000 });
    console.log(`# from navigation to the first moving curve: ${firstCurve} ms`);
    assert.match(await text(page, 'status'), /^training supervised 784-100-100 on 5000 images/);
    await page.waitForFunction(
      `document.querySelectorAll('#rows-view .img').length === 4 && document.querySelectorAll('#hists .chart').length === 2`,
    );
    const rowWords = await page.evaluate(`[...document.querySelectorAll('#rows-view .img .note')].map((e) => e.textContent)`) as string[];
    assert.match(rowWords[0]!, /^positive: label \d · wrong label \d$/);
    assert.match(rowWords[1]!, /^layer 1: G⁺ [\d.]+, G⁻ [\d.]+, θ 100/);
    assert.equal(await page.evaluate(`document.querySelectorAll('#net .layerstrip').length`), 2, 'a strip per layer');
    await page.screenshot({ path: join(shots, 'play-learn.png'), fullPage: true });

    // Hover a unit of layer 1: its details.
    await page.evaluate(`document.getElementById('net').scrollIntoView({ block: 'center' })`); // not under the sticky bar
    // The strips are redrawn with every view: read where layer 1's canvas is, in the page, at once.
    const box = await page.evaluate(`(() => { const b = document.querySelector('#net .layerstrip[data-layer="1"] canvas').getBoundingClientRect(); ` +
      'return { x: b.left, y: b.top }; })()') as { x: number; y: number };
    await page.mouse.move(box.x + 2 * (1 + 29 * 3) + 20, box.y + 2 * 1 + 20); // inside unit 3's tile (28×28 at zoom 2, 1 px gaps)
    await page.waitForFunction(`document.getElementById('unit-tip').style.display === 'block'`, { timeout: 5_000 });
    assert.match(await text(page, 'unit-tip'),
      /^layer 1, unit 3activity y on the positive row [\d.]+, on the negative row [\d.]+share of the goodness/);
    await (await page.$('#net'))!.screenshot({ path: join(shots, 'play-network-hover.png') });

    // Pause: the curves stop. One step: exactly one more point, and the rows shown are that step's.
    await page.click('#play-pause');
    await page.waitForFunction(`/^paused after step \\d+$/.test(document.getElementById('status').textContent)`, { timeout: 5_000 });
    const at = Number(/(\d+)$/.exec(await text(page, 'status'))![1]);
    const pointsAre = (n: number): Promise<unknown> => // the curves redraw a moment after the steps
      page.waitForFunction(`Number(document.getElementById('chart-loss').dataset.points) === ${n}`, { timeout: 5_000 });
    await pointsAre(at);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await points(page), at, 'paused: no step is taken');
    await page.click('#step-once');
    await page.waitForFunction(`document.getElementById('status').textContent === 'paused after step ${at + 1}'`, { timeout: 5_000 });
    await page.waitForFunction(`document.getElementById('rows-view').dataset.step === '${at + 1}'`, { timeout: 5_000 });
    await pointsAre(at + 1);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await points(page), at + 1, 'one step: one point, then paused again');

    // A formula opens the step-through on the live run's step and image.
    await view(page, 'learn');
    await page.click('a.formula[data-panel="G"]');
    await page.waitForFunction(`document.getElementById('step').dataset.shown`, { timeout: 60_000 });
    assert.match(await page.evaluate(`document.querySelector('#step p').textContent`) as string, new RegExp(`^supervised step ${at + 1} `));
    await page.screenshot({ path: join(shots, 'play-step-live.png') });

    // Settings through the URL survive a reload.
    await page.goto(`${url}?layers=784,60,40&seed=3&train-limit=3000`, { waitUntil: 'domcontentloaded' });
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForFunction(
      `/^training supervised 784-60-40 on 3000 images/.test(document.getElementById('status').textContent)`, { timeout: 30_000 },
    );
    assert.match(await text(page, 'command'), /--layers 784,60,40 .*--train-limit 3000 .*--seed 3/);

    // Switch modes: unsupervised, with its paragraph marked and the URL saying so.
    await page.select('#mode', 'unsupervised');
    await page.waitForFunction(`/^training unsupervised 784-60-40/.test(document.getElementById('status').textContent)`, { timeout: 30_000 });
    await page.waitForFunction(`/made with image \\d+ of the batch/.test(document.querySelector('#rows-view .img .note')?.textContent ?? '')`,
      { timeout: 30_000 });
    assert.equal(await page.evaluate(`document.querySelector('.mode.current').dataset.mode`), 'unsupervised');
    assert.match(await page.evaluate('location.search') as string, /mode=unsupervised/);
    await page.screenshot({ path: join(shots, 'play-unsupervised.png'), fullPage: true });

    // Draw a digit: a prediction.
    await page.select('#mode', 'supervised');
    await page.waitForFunction(`/^training supervised/.test(document.getElementById('status').textContent)`, { timeout: 30_000 });
    await page.waitForFunction(`Number(document.getElementById('chart-loss').dataset.points || 0) >= 2`, { timeout: 30_000 });
    await view(page, 'draw');
    const pad = (await (await page.$('#pad'))!.boundingBox())!;
    await page.mouse.move(pad.x + 70, pad.y + 60);
    await page.mouse.down();
    for (const [x, y] of [[210, 60], [170, 140], [130, 230]] as const) await page.mouse.move(pad.x + x, pad.y + y, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(`document.getElementById('prediction').dataset.prediction`, { timeout: 20_000 });
    assert.match(await page.evaluate(`document.getElementById('prediction').dataset.prediction`) as string, /^\d$/);
    await page.screenshot({ path: join(shots, 'play-draw-live.png') });

    // The same run with every view on and with none: the same bytes; examples/s of both.
    // Alternated on 2 threads and on 1, so that a slow moment of the machine tends to hit both.
    const longer = { ...RUN, epochs: '2', 'train-limit': '5000' }; // 100 steps, long enough to time
    for (const [threads, reps] of [[2, 1], [1, 1]] as const) {
      const on: number[] = [], off: number[] = [];
      for (let i = 0; i < reps; i++) {
        const a = await trainInPage(page, threads, true, longer), b = await trainInPage(page, threads, false, longer);
        assert.equal(a.checksum, b.checksum, 'the model bytes do not depend on the views');
        on.push(a.wallExamplesPerSecond); off.push(b.wallExamplesPerSecond);
      }
      const sum = (v: number[]): number => v.reduce((s, x) => s + x, 0);
      console.log(`# views on / off, ${threads} thread(s): ${on.map((x) => x.toFixed(0)).join(', ')} / ${off.map((x) => x.toFixed(0)).join(', ')} ` +
        `examples/s (wall): ratio ${(sum(on) / sum(off)).toFixed(2)}`);
    }
    await page.close();
    assert.deepEqual(problems, [], 'the page reported problems');
  } finally {
    await browser.close();
    child.kill();
  }
});
