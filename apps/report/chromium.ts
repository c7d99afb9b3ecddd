// The machine's own headless Chromium through puppeteer-core: Debian's `chromium` package
// (CHROMIUM=/path overrides; puppeteer-core downloads no browser). Used by report.ts --curves-png
// and by the browser tests. A browser that cannot be found or started is an error.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { UserError } from '../../src/errors.ts';

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new UserError(`no Chromium found (looked at ${candidates.join(', ')}); install it with: apt-get update && apt-get install -y chromium`);
  }
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/**
 * Opens the report at `htmlPath` (written by writeReport) in Chromium, waits until its charts have
 * drawn, and saves one section (`#curves` by default) as a PNG at `pngPath`, 1200 pixels wide.
 * Returns the picture's size in CSS pixels.
 */
export async function screenshotSection(htmlPath: string, pngPath: string, sectionId = 'curves'): Promise<{ width: number; height: number }> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e instanceof Error ? e.message : String(e)));
    await page.setViewport({ width: 1200, height: 900 });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    await page.waitForFunction('document.body.dataset.chartsDrawn !== undefined', { timeout: 20_000 });
    if (problems.length > 0) throw new Error(`the report ${htmlPath} failed in Chromium: ${problems.join('; ')}`);
    const el = await page.$(`#${sectionId}`);
    if (!el) throw new UserError(`the report ${htmlPath} has no section #${sectionId} (a model saved without a run record has no curves)`);
    const box = await el.boundingBox();
    await el.screenshot({ path: pngPath });
    return { width: Math.round(box?.width ?? 0), height: Math.round(box?.height ?? 0) };
  } finally {
    await browser.close();
  }
}
