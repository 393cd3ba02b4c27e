// Real deliveries from a spawned monitor, verified as a receiver would with the official
// `standardwebhooks` library: a `whsec_` secret is shared as is; a plain secret keeps verifying the
// way it always did, and with the library through `whsec_` + its base64.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { refusedUrl } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';
import { rejectionOf, startReceiver, type Delivery } from '../helpers/webhook-receiver.js';

const headersOf = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : [])),
  );

/** The first delivery of a monitor signing with `secret`, for a service that is dead from the start. */
async function deliveryWith(t: { after: (fn: () => Promise<void>) => void }, secret: string): Promise<Delivery> {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const monitor = await spawnMonitor([], { WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET: secret });
  t.after(() => monitor.stop());
  assert.equal(
    (await register(monitor.url, { id: 'signed', url: await refusedUrl(), poll_interval_sec: 1 })).status,
    201,
  );
  await waitFor(() => receiver.deliveries.length > 0, 'a delivery');
  const [delivery] = receiver.deliveries;
  assert.ok(delivery);
  return delivery;
}

test('a whsec_ secret: the standardwebhooks library verifies every delivery with the same secret', async (t) => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const delivery = await deliveryWith(t, secret);
  const verified = new Webhook(secret).verify(delivery.body, headersOf(delivery.headers)) as { service: string };
  assert.equal(verified.service, 'signed');
  assert.throws(
    () => new Webhook(secret).verify(delivery.body.replace('signed', 'forged'), headersOf(delivery.headers)),
    /No matching signature found/,
    'a changed body does not verify',
  );
  assert.throws(
    () => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(delivery.body, headersOf(delivery.headers)),
    /No matching signature found/,
    'another secret does not verify',
  );
});

test('a plain secret keeps signing with its UTF-8 bytes: existing receivers, and the library given whsec_ + base64', async (t) => {
  const secret = 'plain-webhook-secret-0123456789';
  const delivery = await deliveryWith(t, secret);
  assert.equal(rejectionOf(secret, delivery.headers, delivery.body), null, 'the documented check still accepts it');
  const wrapped = `whsec_${Buffer.from(secret).toString('base64')}`;
  const verified = new Webhook(wrapped).verify(delivery.body, headersOf(delivery.headers)) as { service: string };
  assert.equal(verified.service, 'signed');
});
