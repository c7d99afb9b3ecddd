// Test helper (not a test file): one small training run done two ways, in the playground's page
// (its Train tab, as a person fills it in) and by train.ts --save in Node, each giving the model
// file's fnv1a checksum and examples/s, so that a browser test can require the same bytes.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { fnv1a } from '../src/io/checksum.ts';

/** The run: train.ts flags; the page's fields carry the same values. */
export const RUN = { layers: '784,200,200', epochs: '2', 'batch-size': '100', 'train-limit': '1000', 'test-limit': '500', seed: '1' };
const FIELDS: Record<string, string> = {
  layers: 'layers', epochs: 'epochs', 'batch-size': 'batch', 'train-limit': 'train-limit', 'test-limit': 'test-limit', seed: 'seed',
};
/** The run's other flags, typed into the "more flags" box and given to train.ts as they are. */
export const MORE = '--shift 1 --dropout 0.1';

/** What the page's run reported: its final line's figures, the charts' point counts, the model's checksum. */
export interface PageRun {
  examplesPerSecond: number;
  wallExamplesPerSecond: number; // over the run's wall time, the views' work included
  threads: number;
  workerJobs: number;
  points: string[];
  checksum: string;
  testText: string;
}

/** Start play.ts on a free port; resolves with its URL once it prints it. */
export function startPlay(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('scripts', 'play.ts'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolveUrl, reject) => {
    let out = '', err = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /playground (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolveUrl({ child, url: m[1]! });
    });
    child.stderr!.on('data', (d) => { err += String(d); });
    child.on('exit', (code) => reject(new Error(`play.ts exited with ${code}: ${err}`)));
  });
}

export async function view(page: Page, name: string): Promise<void> {
  await page.evaluate(`document.querySelector('nav button[data-view=${name}]').click()`);
}

/** Train in the page with `run` (default RUN), `threads` typed into its box, live views on or off; then download the model from the Files tab. */
export async function trainInPage(page: Page, threads: number, views = true, run = RUN): Promise<PageRun> {
  await view(page, 'learn');
  const values = { ...Object.fromEntries(Object.entries(run).map(([k, v]) => [FIELDS[k]!, v])), threads: String(threads), more: MORE };
  await page.evaluate(`(() => { for (const [id, v] of Object.entries(${JSON.stringify(values)})) { ` +
    `const el = document.getElementById(id); el.value = v; el.dispatchEvent(new Event('input')); } ` +
    `const box = document.getElementById('views'); if (box.checked !== ${views}) box.click(); })()`);
  await page.click('#start');
  await page.waitForFunction(
    `document.getElementById('test-error').dataset.final || document.getElementById('status').className === 'err'`, { timeout: 60_000 },
  );
  const final = await page.evaluate(`document.getElementById('test-error').dataset.final || document.getElementById('status').textContent`) as string;
  assert.ok(final.startsWith('{'), `the run failed in the page: ${final}`);
  const figures = JSON.parse(final) as { examplesPerSecond: number; wallExamplesPerSecond: number; threads: number; workerJobs: number };
  const points = await page.evaluate(`[...document.querySelectorAll('.chart')].map((c) => c.dataset.points)`) as string[];
  const testText = await page.evaluate(`document.getElementById('test-error').textContent`) as string;
  await view(page, 'files');
  await page.evaluate(`document.getElementById('saved').dataset.checksum = ''`);
  await page.click('#save');
  await page.waitForFunction(`document.getElementById('saved').dataset.checksum`, { timeout: 10_000 });
  const checksum = await page.evaluate(`document.getElementById('saved').dataset.checksum`) as string;
  return { ...figures, points, checksum, testText };
}

/** The same run by train.ts on `threads`, saved under `dir`: its examples/s, checksum and file. */
export function trainInNode(threads: number, dir: string): { examplesPerSecond: number; checksum: string; save: string } {
  const save = join(dir, `node-${threads}.safetensors`);
  const args = [
    join('scripts', 'train.ts'), ...Object.entries(RUN).flatMap(([k, v]) => [`--${k}`, v]), ...MORE.split(' '),
    '--threads', String(threads), '--save', save, '--json', '--quiet',
  ];
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout.trim().split('\n').pop()!) as { examplesPerSecond: number };
  return { examplesPerSecond: json.examplesPerSecond, checksum: fnv1a([readFileSync(save)]), save };
}
