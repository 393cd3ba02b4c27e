// The integrations wired in main.ts, with the monitor spawned as a user starts it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnMonitor } from '../helpers/processes.js';
import { json, startTarget } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';
import { noticesOf, rejectionOf, startReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'a-webhook-secret-of-some-length';

test('WEBHOOK_URLS and a registration webhook_url receive signed notices from a spawned monitor', async (t) => {
  let up = true;
  const target = await startTarget((_request, response) =>
    json(response, { request_count: 1, error_count: 0 }, up ? 200 : 503),
  );
  const shared = await startReceiver();
  const own = await startReceiver();
  const monitor = await spawnMonitor([], { WEBHOOK_URLS: shared.url, WEBHOOK_SECRET: SECRET, WEBHOOK_RETRIES: '1' });
  t.after(async () => {
    await monitor.stop();
    await Promise.all([target.close(), shared.close(), own.close()]);
  });
  const response = await fetch(`${monitor.url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'billing', url: target.url, poll_interval_sec: 1, webhook_url: own.url }),
  });
  assert.equal(response.status, 201);
  await waitFor(() => noticesOf(shared).some((notice) => notice.to?.health === 'healthy'), 'the first verdict', 5000);
  up = false;
  await waitFor(
    () => noticesOf(shared).some((notice) => notice.to?.health === 'unhealthy'),
    'the unhealthy notice',
    5000,
  );
  up = true;
  await waitFor(() => noticesOf(shared).some((notice) => notice.event === 'resolved'), 'the resolved notice', 5000);

  assert.deepEqual(
    noticesOf(shared).map((notice) => [notice.event, notice.service, notice.to?.health]),
    [
      ['transition', 'billing', 'healthy'],
      ['transition', 'billing', 'unhealthy'],
      ['resolved', 'billing', 'healthy'],
    ],
  );
  for (const delivery of shared.deliveries)
    assert.equal(rejectionOf(SECRET, delivery.headers, delivery.body), null, 'every delivery verifies');
  await waitFor(() => own.deliveries.length === 3 || undefined, "the service's own receiver got the same three", 3000);
  assert.deepEqual(
    noticesOf(own).map((notice) => notice.id),
    noticesOf(shared).map((notice) => notice.id),
  );
});

test('a spawned monitor answers a Prometheus scrape with its services and counts webhook deliveries', async (t) => {
  const target = await startTarget((_request, response) => json(response, { request_count: 4, error_count: 1 }));
  const receiver = await startReceiver();
  const monitor = await spawnMonitor([], { WEBHOOK_URLS: receiver.url, PROM_ATTRIBUTE_LABELS: 'env,team-name' });
  t.after(async () => {
    await monitor.stop();
    await Promise.all([target.close(), receiver.close()]);
  });
  const body = {
    id: 'shop',
    url: target.url,
    poll_interval_sec: 1,
    attributes: { env: 'prod', 'team-name': 'web', secret: 'x' },
  };
  await fetch(`${monitor.url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await waitFor(() => receiver.deliveries.length === 1 || undefined, 'the first notice', 5000);
  const scrape = async (): Promise<string> =>
    (
      await fetch(`${monitor.url}/metrics`, {
        headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' },
      })
    ).text();
  let text = '';
  await waitFor(
    async () =>
      (text = await scrape()).includes('health_monitor_webhook_deliveries_total{outcome="delivered"} 1') || undefined,
    'the counted delivery',
  );
  assert.match(text, /^health_monitor_service_up\{service="shop"\} 1$/m);
  assert.match(
    text,
    /^health_monitor_service_health\{service="shop",state="degraded"\} 1$/m,
    '1 error in 4 requests is above the 0.2 threshold',
  );
  assert.match(text, /^health_monitor_service_error_ratio\{service="shop"\} 0\.25$/m);
  assert.match(text, /^health_monitor_service_info\{service="shop",attr_env="prod",attr_team_name="web"\} 1$/m);
  assert.doesNotMatch(text, /attr_secret/, 'only the configured attribute keys become labels');
  assert.match(text, /^process_resident_memory_bytes \d+/m);
});

test('PROBE_THREADS starts that many probe threads, and probing works on them', async (t) => {
  const target = await startTarget((_request, response) => json(response, { request_count: 1, error_count: 0 }));
  const one = await spawnMonitor([], { PROBE_THREADS: '1' });
  const three = await spawnMonitor([], { PROBE_THREADS: '3' });
  t.after(async () => {
    await Promise.all([one.stop(), three.stop()]);
    await target.close();
  });
  for (const monitor of [one, three]) {
    const body = JSON.stringify({ id: 'a', url: target.url });
    await fetch(`${monitor.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await waitFor(
      async () =>
        ((await (await fetch(`${monitor.url}/services/a`)).json()) as { health: string }).health === 'healthy' ||
        undefined,
      'a healthy',
    );
  }
  // Worker threads are named "node" like every other thread: compare two monitors that did the same work.
  const { readdirSync } = await import('node:fs');
  const threadsOf = (pid: number | undefined): number => readdirSync(`/proc/${pid ?? 0}/task`).length;
  assert.equal(threadsOf(three.child.pid) - threadsOf(one.child.pid), 2, 'two more probe threads');
});
