// Delivery to real HTTP receivers: signing, retries, give-ups and the queue bound.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { HEALTHY, openStore, registration } from '../helpers/fixtures.js';
import { refusedUrl } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';
import { noticesOf, rejectionOf, startReceiver, type Receiver } from '../helpers/webhook-receiver.js';
import { DEAD, drive, HTTP_503, startTestNotifier } from '../helpers/webhook-notifier.js';

const SECRET = 'whsec-test-0123456789abcdef';

function closeAfter(t: { after: (fn: () => Promise<void>) => void }, ...receivers: Receiver[]): void {
  t.after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
  });
}

test('a signed notice answered 500, 500, 200 verifies on every attempt and is delivered exactly once', async (t) => {
  const verdicts: (string | null)[] = [];
  const receiver = await startReceiver((delivery, index) => {
    verdicts.push(rejectionOf(SECRET, delivery.headers, delivery.body));
    return index < 2 ? 500 : 200;
  });
  closeAfter(t, receiver);
  const store = await openStore();
  const { notifier, outcomes, warnings } = startTestNotifier(t, store, {
    receivers: [receiver.url],
    secret: SECRET,
    retries: 5,
  });
  await store.register(registration('svc', 'http://127.0.0.1:1/svc', { attributes: { team: 'core' } }));
  await drive(store, 'svc', HTTP_503);

  await waitFor(() => outcomes.count('delivered') === 1, 'the delivery');
  await notifier.stop();
  assert.equal(receiver.deliveries.length, 3, 'three attempts, then nothing more');
  assert.deepEqual(verdicts, [null, null, null], 'each attempt verifies');
  assert.deepEqual([outcomes.count('retried'), outcomes.count('delivered'), outcomes.count('failed')], [2, 1, 0]);
  assert.deepEqual(warnings, []);

  const [first, , last] = receiver.deliveries;
  assert.ok(first && last);
  assert.equal(
    new Set(receiver.deliveries.map((delivery) => delivery.headers['webhook-id'])).size,
    1,
    'retries keep the id',
  );
  assert.equal(last.payload.id, last.headers['webhook-id']);
  assert.equal(last.headers['content-type'], 'application/json');
  const { id: _id, at, ...rest } = last.payload;
  assert.equal(new Date(at).toISOString(), at);
  assert.deepEqual(rest, {
    event: 'transition',
    service: 'svc',
    url: 'http://127.0.0.1:1/svc',
    attributes: { team: 'core' },
    from: { health: 'unknown', ready: false },
    to: { health: 'unhealthy', ready: false },
    reason: 'HTTP 503',
    bad_since: at,
    bad_for_sec: 0,
  });

  // What the receiver's check turns away: a changed body, another secret, an old request replayed.
  assert.equal(rejectionOf(SECRET, last.headers, last.body.replace('unhealthy', 'healthy')), 'no matching signature');
  assert.equal(rejectionOf('another-secret-0123456789', last.headers, last.body), 'no matching signature');
  const sentAt = Number(last.headers['webhook-timestamp']);
  assert.equal(
    rejectionOf(SECRET, last.headers, last.body, sentAt + 5 * 60 + 1),
    'timestamp outside the replay window',
  );
});

test('a receiver that always fails gets retries + 1 attempts, then one warning', async (t) => {
  const receiver = await startReceiver(() => 500);
  closeAfter(t, receiver);
  const store = await openStore();
  const { notifier, outcomes, warnings } = startTestNotifier(t, store, { receivers: [receiver.url], retries: 3 });
  await store.register(registration('svc'));
  await drive(store, 'svc', DEAD);

  await waitFor(() => outcomes.count('failed') === 1, 'the give-up');
  await notifier.stop();
  assert.equal(receiver.deliveries.length, 4);
  assert.deepEqual([outcomes.count('retried'), outcomes.count('delivered')], [3, 0]);
  assert.equal(warnings.length, 1);
  const [warning] = warnings;
  assert.equal(warning?.msg, 'webhook delivery failed');
  assert.deepEqual(
    [
      warning['receiver'],
      warning['notice'],
      warning['event'],
      warning['service'],
      warning['attempts'],
      warning['error'],
    ],
    [new URL(receiver.url).origin, receiver.deliveries[0]?.payload.id, 'transition', 'svc', 4, 'HTTP 500'],
  );
  assert.equal(receiver.deliveries[0]?.headers['webhook-signature'], undefined, 'unsigned without a secret');
});

test('404 and redirects fail at once; 429 and timeouts are retried; a refused connection fails after its retries', async (t) => {
  const elsewhere = await startReceiver();
  const notFound = await startReceiver(() => 404);
  const redirecting = await startReceiver(() => ({ status: 302, headers: { location: elsewhere.url } }));
  const busyOnce = await startReceiver((_, index) => (index === 0 ? 429 : 200));
  const held: ServerResponse[] = [];
  const silent = await startReceiver(
    () => 'hang',
    (response) => held.push(response),
  );
  const refused = await refusedUrl();
  closeAfter(t, elsewhere, notFound, redirecting, busyOnce, silent);
  const store = await openStore();
  const receivers = [notFound.url, redirecting.url, busyOnce.url, silent.url, refused];
  const { notifier, outcomes, warnings } = startTestNotifier(t, store, { receivers, retries: 1, timeoutMs: 300 });
  await store.register(registration('svc'));
  await drive(store, 'svc', DEAD);

  await waitFor(
    () => outcomes.count('delivered') + outcomes.count('failed') === receivers.length,
    'every receiver to finish',
  );
  await notifier.stop();
  assert.deepEqual(
    [notFound.deliveries.length, redirecting.deliveries.length, busyOnce.deliveries.length, silent.deliveries.length],
    [1, 1, 2, 2],
  );
  assert.equal(elsewhere.deliveries.length, 0, 'the redirect is not followed');
  assert.equal(outcomes.count('delivered', busyOnce.url), 1);
  const errors = Object.fromEntries(warnings.map((warning) => [warning['receiver'], warning['error']]));
  assert.deepEqual(errors, {
    [new URL(notFound.url).origin]: 'HTTP 404',
    [new URL(redirecting.url).origin]: 'HTTP 302 (redirects are not followed)',
    [new URL(silent.url).origin]: 'no answer within 300 ms',
    [new URL(refused).origin]: 'ECONNREFUSED',
  });
  assert.deepEqual(
    receivers.map((url) => outcomes.count('retried', url)),
    [0, 0, 1, 1, 1],
  );
});

test('a full queue drops its oldest notices and counts them; the rest arrive in order', async (t) => {
  let release: ServerResponse | undefined;
  const receiver = await startReceiver(
    (_, index) => (index === 0 ? 'hang' : 200),
    (response) => (release = response),
  );
  closeAfter(t, receiver);
  const store = await openStore();
  const { outcomes } = startTestNotifier(t, store, {
    receivers: [receiver.url],
    maxQueuedPerReceiver: 3,
    timeoutMs: 10_000,
  });
  await store.register(registration('svc'));
  const startedAt = Date.UTC(2026, 0, 1);
  // Ten transitions, each `at` one second apart so the notices can be told apart.
  const outcomeOf = (i: number) => (i % 2 === 0 ? DEAD : HEALTHY);
  await drive(store, 'svc', outcomeOf(0), startedAt);
  await waitFor(() => receiver.deliveries.length === 1, 'the first notice to be in flight');
  for (let i = 1; i < 10; i++) await drive(store, 'svc', outcomeOf(i), startedAt + i * 1000);

  assert.equal(outcomes.count('dropped'), 6, 'one in flight, three queued, six dropped');
  release?.writeHead(200).end();
  await waitFor(() => outcomes.count('delivered') === 4, 'the queue to drain');
  const seconds = noticesOf(receiver).map((notice) => (Date.parse(notice.at) - startedAt - 5) / 1000);
  assert.deepEqual(seconds, [0, 7, 8, 9], 'the first (in flight) and the newest three');
});
