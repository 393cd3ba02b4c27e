// The integrations wired in main.ts, with the monitor spawned as a user starts it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnMonitor } from './helpers/processes.js';
import { json, startTarget } from './helpers/target.js';
import { waitFor } from './helpers/wait.js';
import { noticesOf, rejectionOf, startReceiver } from './helpers/webhook-receiver.js';

const SECRET = 'a-webhook-secret-of-some-length';

test('WEBHOOK_URLS and a registration webhook_url receive signed notices from a spawned monitor', async (t) => {
  let up = true;
  const target = await startTarget((_request, response) => json(response, { request_count: 1, error_count: 0 }, up ? 200 : 503));
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
  await waitFor(() => noticesOf(shared).some((notice) => notice.to?.health === 'unhealthy'), 'the unhealthy notice', 5000);
  up = true;
  await waitFor(() => noticesOf(shared).some((notice) => notice.event === 'resolved'), 'the resolved notice', 5000);

  assert.deepEqual(noticesOf(shared).map((notice) => [notice.event, notice.service, notice.to?.health]), [
    ['transition', 'billing', 'healthy'],
    ['transition', 'billing', 'unhealthy'],
    ['resolved', 'billing', 'healthy'],
  ]);
  for (const delivery of shared.deliveries) assert.equal(rejectionOf(SECRET, delivery.headers, delivery.body), null, 'every delivery verifies');
  await waitFor(() => own.deliveries.length === 3 || undefined, "the service's own receiver got the same three", 3000);
  assert.deepEqual(noticesOf(own).map((notice) => notice.id), noticesOf(shared).map((notice) => notice.id));
});
