// STATUS_TOKEN and STATUS_PAGE=off against a spawned monitor, the page in a real Chromium. What the
// pages list and show, and what they run (nothing a service sent), is in service-page.test.ts.
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
