// The status page in a real Chromium against a spawned monitor: what it lists, STATUS_TOKEN and
// STATUS_PAGE=off. What it runs (nothing a service sent) is in service-page.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { json, startTarget, type Target } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';

const HEALTHY_BODY = { uptime_sec: 1, request_count: 10, error_count: 0 };

async function target(t: { after: (fn: () => Promise<void>) => void }, status: () => number): Promise<Target> {
  const started = await startTarget((_request, response) => json(response, HEALTHY_BODY, status()));
  t.after(() => started.close());
  return started;
}

async function monitor(t: { after: (fn: () => Promise<void>) => void }, env: Record<string, string> = {}) {
  const spawned = await spawnMonitor(['--poll-interval-ms', '1000'], env);
  t.after(() => spawned.stop());
  return spawned;
}

async function registered(url: string, body: Record<string, unknown>): Promise<void> {
  const response = await register(url, { poll_interval_sec: 1, ...body });
  assert.equal(response.status, 201, await response.text());
}

test('the page lists every service with its state, readiness and group, and a banner over all', async (t) => {
  const ok = await target(t, () => 200);
  const failing = await target(t, () => 500);
  const { url } = await monitor(t);
  await registered(url, { id: 'pay-api', url: ok.url, attributes: { group: 'Payments' } });
  await registered(url, { id: 'pay-db', url: failing.url, attributes: { group: 'Payments' } });
  await registered(url, { id: 'auth', url: ok.url, attributes: { team: 'Identity' } });
  await registered(url, { id: 'loner', url: ok.url });
  await waitFor(async () => {
    const services = (await (await fetch(`${url}/services`)).json()) as { health: string }[];
    return services.every((service) => service.health !== 'unknown');
  }, 'every service probed');

  const browser = await launchBrowser(t);
  const { page, errors } = await openPage(browser);
  const response = await page.goto(`${url}/`);
  assert.equal(response?.status(), 200);
  const rows = await page.$$eval('tr[data-service]', (trs) =>
    trs.map((tr) => ({
      id: tr.getAttribute('data-service'),
      group: tr.closest('section')?.querySelector('h2')?.textContent,
      health: tr.querySelector('.health')?.textContent?.trim(),
      ready: tr.querySelector('td[data-label="ready"]')?.textContent,
    })),
  );
  assert.deepEqual(
    rows.map((row) => [row.group, row.id, row.health?.replace(/^\S+\s/, ''), row.ready]),
    [
      ['Identity', 'auth', 'healthy', 'ready'],
      ['Payments', 'pay-api', 'healthy', 'ready'],
      ['Payments', 'pay-db', 'unhealthy', 'not ready'],
      ['Other services', 'loner', 'healthy', 'ready'],
    ],
  );
  // Never colour alone: the state's word is in the text.
  assert.match(
    (await page.textContent('#banner')) ?? '',
    /Partial outage.*4 services: 3 healthy, 0 degraded, 1 unhealthy/s,
  );
  // No URLs unless STATUS_SHOW_URLS=true: they can reveal internal hosts.
  assert.ok(!(await page.content()).includes(ok.url), 'a target URL is on the page');

  await page.selectOption('select[name="state"]', 'down');
  await Promise.all([page.waitForURL(/state=down/), page.click('button[type="submit"]')]);
  assert.deepEqual(await page.$$eval('tr[data-service]', (trs) => trs.map((tr) => tr.getAttribute('data-service'))), [
    'pay-db',
  ]);
  assert.deepEqual(errors, []);
});

test('STATUS_TOKEN: 401 without it, 200 with it as a password or a bearer token; the JSON API unchanged', async (t) => {
  const token = 'status-page-token-0123456789';
  const { url } = await monitor(t, { STATUS_TOKEN: token });
  const refused = await fetch(`${url}/`);
  assert.equal(refused.status, 401);
  assert.match(refused.headers.get('www-authenticate') ?? '', /^Basic realm="status"/);
  assert.equal((await fetch(`${url}/`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  assert.equal((await fetch(`${url}/`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
  assert.equal((await fetch(`${url}/services`)).status, 200, 'the JSON API needs no status token');

  const browser = await launchBrowser(t);
  const { page } = await openPage(browser, { httpCredentials: { username: 'anyone', password: token } });
  const response = await page.goto(`${url}/`);
  assert.equal(response?.status(), 200);
  assert.match((await page.textContent('h1')) ?? '', /Service status/);
});

test('STATUS_PAGE=off: / is a 404 like any unknown route; a bad filter is a 400 that names it', async (t) => {
  const off = await monitor(t, { STATUS_PAGE: 'off' });
  assert.equal((await fetch(`${off.url}/`)).status, 404);
  const on = await monitor(t);
  const bad = await fetch(`${on.url}/?state=sideways`);
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /state must be one of all, down, healthy/);
});
