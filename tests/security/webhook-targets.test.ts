// A registration's webhook_url under ALLOW_TARGETS and the metadata refusal in a spawned monitor: refused
// at registration, and guarded at delivery while WEBHOOK_URLS receivers are delivered unchecked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnMonitor } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';
import { noticesOf, startReceiver } from '../helpers/webhook-receiver.js';

interface ErrorBody {
  readonly error: { code: string; message: string; details: { field: string; message: string }[] };
}

async function register(monitorUrl: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${monitorUrl}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ poll_interval_sec: 1, ...body }),
  });
}

async function refusal(response: Response): Promise<ErrorBody['error']> {
  assert.equal(response.status, 400);
  return ((await response.json()) as ErrorBody).error;
}

const METADATA_REASON =
  'host 169.254.169.254 is the cloud metadata address, refused unless an ALLOW_TARGETS address or range covers it';

test('ALLOW_TARGETS=localhost,10.0.0.0/8: a webhook_url on the metadata address or outside the list is refused at registration, naming the field and the reason', async (t) => {
  const monitor = await spawnMonitor([], { ALLOW_TARGETS: 'localhost,10.0.0.0/8' });
  t.after(() => monitor.stop());

  const metadata = await refusal(
    await register(monitor.url, { id: 'a', url: 'http://10.1.2.3', webhook_url: 'http://169.254.169.254/x' }),
  );
  assert.equal(metadata.code, 'invalid_registration');
  assert.deepEqual(metadata.details, [{ field: 'webhook_url', message: METADATA_REASON }]);
  assert.equal(metadata.message, `invalid registration: webhook_url ${METADATA_REASON}`);

  const outside = await refusal(
    await register(monitor.url, { id: 'b', url: 'http://10.1.2.3', webhook_url: 'https://hooks.example.com/x' }),
  );
  assert.deepEqual(outside.details, [
    { field: 'webhook_url', message: 'host hooks.example.com is not in ALLOW_TARGETS' },
  ]);

  const both = await refusal(
    await register(monitor.url, {
      id: 'c',
      url: 'http://127.0.0.1:8080',
      webhook_url: 'http://[::ffff:169.254.169.254]/x',
    }),
  );
  assert.deepEqual(both.details, [
    { field: 'url', message: 'host 127.0.0.1 is not in ALLOW_TARGETS' },
    {
      field: 'webhook_url',
      message:
        'host ::ffff:a9fe:a9fe is the cloud metadata address, refused unless an ALLOW_TARGETS address or range covers it',
    },
  ]);

  assert.equal(
    (await register(monitor.url, { id: 'd', url: 'http://10.1.2.3', webhook_url: 'http://10.9.9.9:8080/x' })).status,
    201,
  );
  const ids = ((await (await fetch(`${monitor.url}/services`)).json()) as { id: string }[]).map(
    (service) => service.id,
  );
  assert.deepEqual(ids, ['d'], 'nothing refused was stored');
});

test("a spawned monitor's own-receiver refusal: no connection, a logged failure with the reason; the WEBHOOK_URLS receiver on 127.0.0.1 gets the notice", async (t) => {
  const own = await startReceiver();
  const configured = await startReceiver();
  const monitor = await spawnMonitor([], {
    ALLOW_TARGETS: 'localhost,10.0.0.0/8',
    WEBHOOK_URLS: configured.url,
    WEBHOOK_RETRIES: '2',
  });
  t.after(async () => {
    await monitor.stop();
    await Promise.all([own.close(), configured.close()]);
  });
  // Accepted: localhost is listed. Its probe is refused the same way (localhost resolves to loopback), so it goes dead.
  const ownUrl = `http://localhost:${new URL(own.url).port}/hooks`;
  assert.equal(
    (await register(monitor.url, { id: 'svc', url: 'http://localhost:8080', webhook_url: ownUrl })).status,
    201,
  );

  await waitFor(
    () => noticesOf(configured).some((notice) => notice.to?.health === 'dead'),
    'the dead notice at the configured receiver',
    8000,
  );
  const failure = await waitFor(
    () =>
      monitor
        .output()
        .split('\n')
        .find((line) => line.includes('"msg":"webhook delivery failed"')),
    'the failed delivery to be logged',
    5000,
  );
  const logged = JSON.parse(failure) as { receiver: string; attempts: number; error: string };
  assert.equal(logged.receiver, new URL(ownUrl).origin);
  assert.equal(logged.attempts, 1, 'not retried');
  assert.match(logged.error, /^localhost resolved to (127\.0\.0\.1|::1), which is not in ALLOW_TARGETS$/);
  assert.equal(own.connections, 0, 'the refused receiver never saw a connection');
});
