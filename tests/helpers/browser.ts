// A real Chromium for the status page tests: Debian's, driven by playwright-core. Missing, it fails
// the test with the command that installs it; it never skips.
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../bench/lib/chromium.js';

export { CHROMIUM };

/** A browser for a whole file's tests; the caller closes it. */
export async function startBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: 30_000 });
}

/** A browser for one test, closed after it. */
export async function launchBrowser(t: TestContext): Promise<Browser> {
  const browser = await startBrowser();
  t.after(() => browser.close());
  return browser;
}

/** A fresh page (its own context: no cookies or cache shared with other tests) that fails on page errors. */
export async function openPage(
  browser: Browser,
  options: {
    colorScheme?: 'light' | 'dark';
    httpCredentials?: { username: string; password: string };
    /** For injecting a test's own script (axe-core) into a page whose CSP would refuse it. */
    bypassCSP?: boolean;
    viewport?: { width: number; height: number };
  } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? 'light',
    bypassCSP: options.bypassCSP ?? false,
    ...(options.viewport === undefined ? {} : { viewport: options.viewport }),
    ...(options.httpCredentials === undefined ? {} : { httpCredentials: options.httpCredentials }),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, errors };
}
