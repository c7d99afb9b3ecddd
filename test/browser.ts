// Test helper (not a test file): a real headless Chromium through puppeteer-core, using the
// machine's own browser (Debian's `chromium`; CHROMIUM=/path overrides). A browser that cannot
// start is an error: tests that need one fail, they are never skipped. `.ci/run` (and
// `npm test`'s pretest) install Chromium with apt-get when it is missing.
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser } from '../apps/report/chromium.ts';

export { launchBrowser };

/** A page that records console errors and uncaught exceptions into `problems`. */
export async function watchedPage(browser: Browser, problems: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
  page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
  return page;
}
