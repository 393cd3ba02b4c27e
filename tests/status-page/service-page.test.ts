// Both pages in a real Chromium against a spawned monitor whose real SQLite file holds a week of
// hourly aggregates and two pages of transitions for one service, beside live ones: the chart draws,
// the transitions page, the 90-day bar tells each day on hover and focus, nothing a service sent runs,
// axe-core finds nothing serious in light or dark mode, the keyboard reaches everything, 375 px fits,
// and the badges are SVG a browser reads.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { HOUR_MS } from '../../src/domain/index.js';
import { openPage, startBrowser } from '../helpers/browser.js';
import { register } from '../helpers/monitor-requests.js';
import { spawnMonitor, type Spawned } from '../helpers/processes.js';
import { seedHistory, type SeededTransition } from '../../bench/lib/seed-history.js';
import { json, startTarget, type Target } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';

const PAYLOAD = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
const SEEDED_TRANSITIONS = 40;

/** Run in the page (as text: this file is compiled without the DOM's types): the chart's pixels drawn in the p50 line's colour. */
const PIXELS_IN_P50_COLOUR = `(() => {
  const canvas = document.querySelector('#chart canvas');
  const context = canvas && canvas.getContext('2d');
  if (!context) return -1;
  const hex = getComputedStyle(document.documentElement).getPropertyValue('--focus').trim();
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    const distance = Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b);
    if (distance < 60 && data[i + 3] > 128) count++;
  }
  return count;
})()`;

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let target: Target;
let failing: Target;
let monitor: Spawned & { url: string };
let browser: Browser;
/** Made in `before`, removed in the module's `after`: a hook registered inside `before` would run too early. */
let dir = '';

before(async () => {
  target = await startTarget((_request, response) =>
    json(response, { uptime_sec: 1, request_count: 10, error_count: 0, attributes: { note: PAYLOAD } }),
  );
  failing = await startTarget((_request, response) => json(response, {}, 503));
  dir = mkdtempSync(join(tmpdir(), 'health-monitor-status-'));
  const dbPath = join(dir, 'monitor.db');
  const first = await spawnMonitor(['--db-path', dbPath]);
  for (const body of [
    // A long interval: the next probe is a whole interval after the first, so the seeded state stays.
    {
      id: 'checkout',
      url: target.url,
      poll_interval_sec: 300,
      attributes: { group: PAYLOAD, owner: `"><script>window.__pwned=3</script>` },
    },
    { id: 'web', url: target.url, poll_interval_sec: 1, attributes: { group: 'Front' }, depends_on: ['db', 'later'] },
    { id: 'db', url: failing.url, poll_interval_sec: 1, attributes: { group: 'Data' } },
    { id: 'queue', url: failing.url, poll_interval_sec: 1 },
  ]) {
    const registered = await register(first.url, body);
    assert.equal(registered.status, 201, await registered.text());
  }
  await waitFor(async () => {
    const services = (await (await fetch(`${first.url}/services`)).json()) as { health: string }[];
    return services.every((service) => service.health !== 'unknown');
  }, 'every service probed');
  // A graceful stop writes the probe's result; stop() would SIGKILL before the batch lands.
  first.child.kill('SIGTERM');
  assert.equal((await first.exited).code, 0, first.output());

  // A week of hours, slower (p95 ~200 ms) on the days when it was failing; forty transitions a day apart.
  const now = Date.now();
  const transitions: SeededTransition[] = Array.from({ length: SEEDED_TRANSITIONS }, (_, i) => ({
    at: now - (SEEDED_TRANSITIONS - i) * 2 * HOUR_MS,
    from: i % 2 === 0 ? { health: 'healthy', ready: true } : { health: 'unhealthy', ready: false },
    to: i % 2 === 0 ? { health: 'unhealthy', ready: false } : { health: 'healthy', ready: true },
    reason: i === SEEDED_TRANSITIONS - 1 ? PAYLOAD : i % 2 === 0 ? 'HTTP 500' : 'answered 200',
  }));
  seedHistory(
    dbPath,
    'checkout',
    {
      hours: Array.from({ length: 24 * 7 }, (_, hoursAgo) => ({
        hoursAgo,
        probes: 60,
        successes: hoursAgo % 24 < 2 ? 50 : 60,
        responseMs: 20 + (hoursAgo % 24) * 5,
      })),
      transitions,
      // The next probe is a whole interval after this one: the stored last_error stays on the page.
      state: { lastCheckedAt: now, lastError: PAYLOAD, reason: PAYLOAD, health: 'unhealthy', ready: false },
    },
    now,
  );
  monitor = await spawnMonitor(['--db-path', dbPath]);
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await monitor?.stop();
  await target?.close();
  await failing?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('the list shows every service with its state, readiness and group; the banner counts all; the filter is in the URL', async () => {
  const { page, errors } = await openPage(browser);
  const response = await page.goto(`${monitor.url}/`);
  assert.equal(response?.status(), 200);
  const rows = await page.$$eval('tr[data-service]', (trs) =>
    trs.map((tr) => [
      tr.closest('section')?.querySelector('h2')?.textContent,
      tr.getAttribute('data-service'),
      tr
        .querySelector('.health')
        ?.textContent?.trim()
        .replace(/^\S+\s/, ''),
      tr.querySelector('td[data-label="ready"]')?.textContent,
    ]),
  );
  assert.deepEqual(rows, [
    [PAYLOAD, 'checkout', 'unhealthy', 'not ready'],
    ['Data', 'db', 'unhealthy', 'not ready'],
    ['Front', 'web', 'healthy', 'ready'],
    ['Other services', 'queue', 'unhealthy', 'not ready'],
  ]);
  // Never colour alone: the state's word is in the text.
  assert.match(
    (await page.textContent('#banner')) ?? '',
    /Major outage.*4 services: 1 healthy, 0 degraded, 3 unhealthy, 0 dead, 0 unknown/s,
  );
  // No URLs unless STATUS_SHOW_URLS=true: they can reveal internal hosts.
  assert.ok(!(await page.content()).includes(target.url), 'a target URL is on the page');
  // What holds a service's notices back is on its row.
  assert.equal(await page.textContent('tr[data-service="web"] .note'), 'impacted by db (notices held back)');
  const window = await fetch(`${monitor.url}/services/queue/maintenance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ duration_sec: 3600, reason: 'upgrade' }),
  });
  assert.equal(window.status, 201, await window.clone().text());
  await page.reload();
  assert.match(
    (await page.textContent('tr[data-service="queue"] .note')) ?? '',
    /^in maintenance until \d{4}-\d\d-\d\d \d\d:\d\d UTC$/,
  );
  await page.selectOption('select[name="state"]', 'healthy');
  await Promise.all([page.waitForURL(/state=healthy/), page.click('button[type="submit"]')]);
  assert.deepEqual(await page.$$eval('tr[data-service]', (trs) => trs.map((tr) => tr.getAttribute('data-service'))), [
    'web',
  ]);
  assert.deepEqual(errors, []);
});

test('the chart draws p50 and p95 from the hourly aggregates: its canvas holds line pixels', async () => {
  const { page, errors } = await openPage(browser);
  const response = await page.goto(`${monitor.url}/ui/services/checkout?range=7d`);
  assert.equal(response?.status(), 200);
  await page.waitForSelector('#chart canvas');
  const linePixels = await page.evaluate<number>(PIXELS_IN_P50_COLOUR);
  assert.ok(linePixels > 200, `the p50 line covers ${linePixels} pixels`);
  assert.match(
    (await page.getAttribute('#chart', 'aria-label')) ?? '',
    /^Response time over the last 7d: p50 from \d+ to \d+ ms, p95 from \d+ to \d+ ms$/,
  );
  await page.click('nav.ranges >> text=90d');
  await page.waitForURL(/range=90d/);
  await page.waitForSelector('#chart canvas');
  assert.deepEqual(errors, []);
});

test('transitions come newest first, a page at a time, each exactly once', async () => {
  const { page, errors } = await openPage(browser);
  await page.goto(`${monitor.url}/ui/services/checkout`);
  const ids = async (): Promise<number[]> =>
    page.$$eval('#transitions tr[data-transition]', (rows) =>
      rows.map((row) => Number(row.getAttribute('data-transition'))),
    );
  const first = await ids();
  assert.equal(first.length, 25);
  await Promise.all([page.waitForURL(/before=\d+/), page.click('a[rel="next"]')]);
  const second = await ids();
  const all = [...first, ...second];
  assert.equal(all.length, SEEDED_TRANSITIONS + 1, 'the seeded ones and the first probe’s');
  assert.deepEqual(
    all,
    [...all].sort((a, b) => b - a),
    'newest first, no repeats',
  );
  assert.equal(new Set(all).size, all.length);
  assert.equal(await page.$('a[rel="next"]'), null, 'the last page has no Older link');
  assert.deepEqual(errors, []);
});

test('each day of the 90-day bar tells its date, uptime and transitions on focus and on hover', async () => {
  const { page, errors } = await openPage(browser);
  await page.goto(`${monitor.url}/ui/services/checkout`);
  await page.waitForSelector('html[data-ready="true"]');
  assert.equal(await page.locator('.bar .day').count(), 90);
  // The bar is one tab stop: today.
  await page.focus('.bar .day[tabindex="0"]');
  const today = new Date().toISOString().slice(0, 10);
  const tip = page.locator('#day-tip');
  assert.match((await tip.textContent()) ?? '', new RegExp(`^${today}: \\d+(\\.\\d+)?% up, \\d+ transitions?$`));
  assert.ok(await tip.isVisible());
  await page.keyboard.press('ArrowLeft');
  const yesterday = new Date(Date.now() - 24 * HOUR_MS).toISOString().slice(0, 10);
  assert.match((await tip.textContent()) ?? '', new RegExp(`^${yesterday}: `));
  await page.keyboard.press('Home');
  assert.match((await tip.textContent()) ?? '', /: no data, /);
  await page.hover('.bar .day:nth-child(89)');
  assert.match((await tip.textContent()) ?? '', new RegExp(`^${yesterday}: `));
  assert.deepEqual(errors, []);
});

test('service-sent attributes, /health attributes, last_error and reasons are shown as text and run nothing', async () => {
  const refused = await register(monitor.url, { id: '<script>x</script>', url: target.url });
  assert.equal(refused.status, 400, 'an id cannot carry markup at all');
  // One page for every path: a navigation starts a fresh global object, so a payload run anywhere shows.
  const { page } = await openPage(browser);
  for (const path of ['/', '/ui/services/%3Cscript%3Ealert(1)%3C%2Fscript%3E', '/ui/services/checkout']) {
    const response = await page.goto(`${monitor.url}${path}`);
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self' 'nonce-[^']+'/);
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined, path);
    if (path === '/') {
      assert.equal(await page.locator('section h2', { hasText: PAYLOAD }).count(), 1, 'the group name is text');
    }
  }
  assert.equal(await page.textContent('.last-error'), PAYLOAD);
  assert.ok((await page.locator('td', { hasText: PAYLOAD }).count()) >= 3, 'attributes, /health attribute, a reason');
});

test('a service page lists its dependencies with their health, one not registered as unknown', async () => {
  const { page } = await openPage(browser);
  await page.goto(`${monitor.url}/ui/services/web`);
  const listed = await page.$$eval('dl.facts ul.plain li', (items) =>
    items.map((item) => item.textContent?.replace(/\s+/g, ' ').trim()),
  );
  assert.deepEqual(listed, ['db ✖ unhealthy', 'later ? unknown']);
});

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations)`,
  );
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

test('axe-core finds no serious or critical violation on either page, in light and in dark mode', async () => {
  const { page, errors } = await openPage(browser, { bypassCSP: true });
  for (const path of ['/', '/ui/services/checkout']) {
    await page.goto(`${monitor.url}${path}`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.addScriptTag({ path: AXE_SOURCE });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      assert.deepEqual(await seriousViolations(page), [], `${path} in ${colorScheme} mode`);
    }
  }
  assert.deepEqual(errors, []);
});

test('keyboard: Tab reaches the filters, every service link and each bar; Enter opens a service page', async () => {
  const { page } = await openPage(browser);
  await page.goto(`${monitor.url}/`);
  await page.waitForSelector('html[data-ready="true"]');
  // Every element focus lands on, recorded in the page and read once at the end.
  await page.evaluate(
    `window.__reached = []; document.addEventListener('focusin', (event) => { const e = event.target; window.__reached.push(e.getAttribute('name') || e.getAttribute('href') || e.className); });`,
  );
  for (let press = 0; press < 30; press++) await page.keyboard.press('Tab');
  const reached = new Set(await page.evaluate<string[]>('window.__reached'));
  for (const expected of ['state', 'q', '/ui/services/web', '/ui/services/db', '/ui/services/queue', 'day']) {
    assert.ok(reached.has(expected), `Tab never reached ${expected}: ${[...reached].join(' | ')}`);
  }
  await page.focus('a[href="/ui/services/web"]');
  await Promise.all([page.waitForURL(/\/ui\/services\/web$/), page.keyboard.press('Enter')]);
});

test('at 375 px nothing is wider than the screen, on either page', async () => {
  const { page } = await openPage(browser, { viewport: { width: 375, height: 800 } });
  for (const path of ['/', '/ui/services/checkout']) {
    await page.goto(`${monitor.url}${path}`);
    await page.waitForSelector('html[data-ready="true"]');
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 375, `${path} is ${width} px wide`);
  }
});

test('badges are valid SVG with the right words; an unknown id gets an "unknown" badge', async () => {
  const { page, errors } = await openPage(browser);
  await page.goto(`${monitor.url}/`);
  const read = (path: string): Promise<{ ok: boolean; root: string; text: string; width: number; type: string }> =>
    page.evaluate(`(async () => {
      const response = await fetch(${JSON.stringify(path)});
      const body = await response.text();
      const parsed = new DOMParser().parseFromString(body, 'image/svg+xml');
      const image = new Image();
      image.src = ${JSON.stringify(path)};
      await image.decode();
      return {
        ok: parsed.querySelector('parsererror') === null,
        root: parsed.documentElement.namespaceURI + ' ' + parsed.documentElement.localName,
        text: [...parsed.querySelectorAll('text')].map((t) => t.textContent).join(' '),
        width: image.naturalWidth,
        type: response.headers.get('content-type'),
      };
    })()`);
  const cases: [string, RegExp][] = [
    ['/badges/web/health.svg', /health.*healthy/],
    ['/badges/db/health.svg', /health.*unhealthy/],
    ['/badges/web/uptime.svg?window=7d', /uptime 7d.*100%/],
    ['/badges/checkout/uptime.svg?window=7d', /uptime 7d.*\d+(\.\d+)?%/],
    ['/badges/no-such-service/health.svg', /health.*unknown/],
    ['/badges/no-such-service/uptime.svg', /uptime 24h.*unknown/],
  ];
  for (const [path, words] of cases) {
    const badge = await read(path);
    assert.ok(badge.ok, `${path} parses as XML`);
    assert.equal(badge.root, 'http://www.w3.org/2000/svg svg', path);
    assert.match(badge.text, words, path);
    assert.ok(badge.width > 0, `${path} renders as an image`);
    assert.match(badge.type, /^image\/svg\+xml/);
  }
  assert.deepEqual(errors, []);
});
