// The notifier's global bound on waiting notices (count and bytes), a deleted service's notices, and
// what the notifier writes to the log: one component field, failures folded into a line per interval.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import type { DiscardReason } from '../../src/notify/webhooks/notifier.js';
import { HEALTHY, openStore, registration } from '../helpers/fixtures.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { startRawLogNotifier, wideAttributes } from '../helpers/webhook-load.js';
import { DEAD, drive, startTestNotifier } from '../helpers/webhook-notifier.js';
import { noticesOf, startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

function closeAfter(t: { after: (fn: () => Promise<void>) => void }, ...receivers: Receiver[]): void {
  t.after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
  });
}

/** Records what the notifier discards, by reason. */
function discards(): {
  onDiscard: (reason: DiscardReason, receiver: string) => void;
  count: (reason: DiscardReason) => number;
} {
  const all: DiscardReason[] = [];
  return { onDiscard: (reason) => all.push(reason), count: (reason) => all.filter((entry) => entry === reason).length };
}

/** A receiver that holds the first `held` deliveries until `release()`, and answers the rest 200. */
async function startHoldingReceiver(held: number): Promise<{ receiver: Receiver; release: () => void }> {
  const responses: ServerResponse[] = [];
  const receiver = await startReceiver(
    (_, index) => (index < held ? 'hang' : 200),
    (response) => responses.push(response),
  );
  return { receiver, release: () => responses.forEach((response) => response.writeHead(200).end()) };
}

/** Notices received for `service`, as the seconds after `origin` their `at` says. */
const secondsOf = (receiver: Receiver, service: string, origin: number): number[] =>
  noticesOf(receiver)
    .filter((notice) => notice.service === service)
    .map((notice) => Math.round((Date.parse(notice.at) - origin) / 1000));

test('the global bound in count drops the oldest waiting notices across receivers, counts and logs them', async (t) => {
  const { receiver, release } = await startHoldingReceiver(3);
  closeAfter(t, receiver);
  const store = await openStore();
  const discarded = discards();
  // Each service its own receiver URL: three queues, one bound over all of them.
  const { outcomes, warnings } = startTestNotifier(t, store, {
    maxQueuedNotices: 4,
    timeoutMs: 10_000,
    warnIntervalMs: 200,
    onDiscard: discarded.onDiscard,
  });
  const services = ['a', 'b', 'c'];
  for (const id of services)
    await store.register(registration(id, undefined, { webhookUrl: `${receiver.url}?service=${id}` }));
  const origin = Date.UTC(2026, 0, 1);
  for (const id of services) await drive(store, id, DEAD, origin);
  await waitFor(() => receiver.deliveries.length === 3, 'one notice in flight per receiver');

  // Six more, one a second: a1 b2 c3 a4 b5 c6. Four may wait; a1 and b2 are the oldest.
  let second = 1;
  for (const outcome of [HEALTHY, DEAD]) {
    for (const id of services) await drive(store, id, outcome, origin + 1000 * second++);
  }
  assert.equal(discarded.count('global_bound'), 2);
  assert.equal(
    outcomes.count('dropped'),
    0,
    'no receiver queue was full: the per-receiver bound is not what dropped them',
  );
  await waitFor(
    () => warnings.filter((line) => line.msg === 'webhook notices dropped: global bound reached').length === 2,
    'the first line and the folded one',
  );
  const lines = warnings.filter((line) => line.msg === 'webhook notices dropped: global bound reached');
  assert.deepEqual(
    lines.map((line) => line['notices']),
    [1, 1],
    'the first drop at once, the second folded into the line at the end of the interval',
  );
  assert.equal(lines[0]?.['maxNotices'], 4);

  release();
  await waitFor(() => outcomes.count('delivered') === 7, 'the rest to be delivered');
  assert.deepEqual(
    services.map((id) => secondsOf(receiver, id, origin)),
    [
      [0, 4],
      [0, 5],
      [0, 3, 6],
    ],
    'a1 and b2 were dropped; every other notice arrived, in order',
  );
});

test('the global bound in bytes drops the oldest waiting notices', async (t) => {
  const { receiver, release } = await startHoldingReceiver(2);
  closeAfter(t, receiver);
  const store = await openStore();
  const discarded = discards();
  // About 11 KB a notice (a 10,000-character attribute): two fit in 28,000 bytes, three do not.
  const { outcomes } = startTestNotifier(t, store, {
    maxQueuedBytes: 28_000,
    timeoutMs: 10_000,
    onDiscard: discarded.onDiscard,
  });
  const attributes = wideAttributes(1, 10_000);
  for (const id of ['x', 'y'])
    await store.register(registration(id, undefined, { attributes, webhookUrl: `${receiver.url}?service=${id}` }));
  const origin = Date.UTC(2026, 0, 1);
  for (const id of ['x', 'y']) await drive(store, id, DEAD, origin);
  await waitFor(() => receiver.deliveries.length === 2, 'one notice in flight per receiver');

  // x1 y2 x3 y4 wait; only the newest two fit.
  await drive(store, 'x', HEALTHY, origin + 1000);
  await drive(store, 'y', HEALTHY, origin + 2000);
  assert.equal(discarded.count('global_bound'), 0, 'two fit');
  await drive(store, 'x', DEAD, origin + 3000);
  await drive(store, 'y', DEAD, origin + 4000);
  assert.equal(discarded.count('global_bound'), 2);

  release();
  await waitFor(() => outcomes.count('delivered') === 4, 'the rest to be delivered');
  assert.deepEqual(
    [secondsOf(receiver, 'x', origin), secondsOf(receiver, 'y', origin)],
    [
      [0, 3],
      [0, 4],
    ],
  );
});

test('deleting a service drops its waiting and in-flight notices: no request for it after deletion; a re-registration is a new life', async (t) => {
  let goneHangs = true;
  const receiver = await startReceiver((delivery) => (delivery.payload.service === 'gone' && goneHangs ? 'hang' : 200));
  closeAfter(t, receiver);
  const store = await openStore();
  const discarded = discards();
  // Short timeouts and many retries: a notice left in flight would be posted again and again.
  const { outcomes } = startTestNotifier(t, store, {
    timeoutMs: 200,
    retries: 20,
    reminderMs: 100,
    onDiscard: discarded.onDiscard,
  });
  for (const id of ['gone', 'stays'])
    await store.register(registration(id, undefined, { webhookUrl: `${receiver.url}?service=${id}` }));
  for (const outcome of [DEAD, HEALTHY, DEAD, HEALTHY, DEAD]) await drive(store, 'gone', outcome);
  await waitFor(
    () => receiver.deliveries.some((delivery) => delivery.payload.service === 'gone'),
    'the first notice for gone in flight',
  );

  await store.deregister('gone');
  await drive(store, 'stays', DEAD);
  // A request already on the wire when the service was deleted may still land: a short grace.
  await sleep(300);
  const forGone = (): string[] =>
    receiver.deliveries
      .filter((delivery) => delivery.payload.service === 'gone')
      .map((delivery) => delivery.payload.id);
  const afterGrace = forGone().length;
  await sleep(1000);
  assert.equal(
    forGone().length,
    afterGrace,
    'nothing for the deleted service after its deletion: no retry, no waiting notice, no reminder',
  );
  assert.equal(new Set(forGone()).size, 1, 'only the notice that was in flight ever reached the receiver');
  assert.equal(discarded.count('service_deleted'), 5, 'the one in flight and the four waiting');
  assert.deepEqual(
    [outcomes.count('failed'), outcomes.count('dropped')],
    [0, 0],
    'a discarded notice is neither failed nor dropped',
  );
  assert.ok(
    noticesOf(receiver).some((notice) => notice.service === 'stays' && notice.event === 'transition'),
    'the other service is unaffected',
  );

  // The same id again: its notices are delivered as for any new service.
  goneHangs = false;
  await store.register(registration('gone', undefined, { webhookUrl: `${receiver.url}?service=gone` }));
  await drive(store, 'gone', DEAD);
  await waitFor(
    () =>
      noticesOf(receiver).some(
        (notice) => notice.service === 'gone' && notice.from?.health === 'unknown' && notice.to?.health === 'dead',
      ),
    "the new life's first notice",
  );
});

test('a webhook log line names its component once', async (t) => {
  const receiver = await startReceiver(() => 404);
  closeAfter(t, receiver);
  const store = await openStore();
  const { notifier, lines } = startRawLogNotifier(t, store, { receivers: [receiver.url] });
  await store.register(registration('svc'));
  await drive(store, 'svc', DEAD);
  await waitFor(() => lines.some((line) => line.includes('webhook delivery failed')), 'the failure line');
  await notifier.stop();
  assert.ok(lines.length >= 1);
  for (const line of lines) assert.equal(line.match(/"component":/g)?.length, 1, line);
});

test('failed deliveries to a receiver make one line at once, then one line per interval with how many failed', async (t) => {
  const failing = await startReceiver(() => 302);
  const other = await startReceiver(() => 404);
  closeAfter(t, failing, other);
  const store = await openStore();
  const { notifier, outcomes, warnings } = startTestNotifier(t, store, {
    receivers: [failing.url],
    retries: 0,
    warnIntervalMs: 1500,
  });
  await store.register(registration('svc'));
  await store.register(registration('own', undefined, { webhookUrl: other.url }));
  const outcomesOf = [DEAD, HEALTHY];
  for (let i = 0; i < 30; i++) await drive(store, 'svc', outcomesOf[i % 2] ?? DEAD);
  await drive(store, 'own', DEAD);
  // The configured receiver gets every service's notices: 31 in all.
  await waitFor(() => outcomes.count('failed', failing.url) === 31, 'thirty-one failures');

  const failed = (): typeof warnings => warnings.filter((line) => line.msg === 'webhook delivery failed');
  const forFailing = (): typeof warnings => failed().filter((line) => line['receiver'] === new URL(failing.url).origin);
  assert.equal(forFailing().length, 1, 'one line at once');
  assert.equal(forFailing()[0]?.['failures'], 1);
  assert.equal(forFailing()[0]?.['error'], 'HTTP 302 (redirects are not followed)');
  assert.equal(
    failed().filter((line) => line['receiver'] === new URL(other.url).origin).length,
    1,
    'another receiver has its own line',
  );

  await waitFor(() => forFailing().length === 2, 'the line for the rest of the interval', 3000);
  const [, folded] = forFailing();
  assert.equal(folded?.['failures'], 30, 'the other 30 failures in one line');
  assert.equal(folded?.['error'], 'HTTP 302 (redirects are not followed)', "with the last failure's details");
  await sleep(1700);
  assert.equal(forFailing().length, 2, 'a quiet interval writes nothing');

  // A failure folded in when the notifier stops is still reported.
  await drive(store, 'svc', DEAD);
  await drive(store, 'svc', HEALTHY);
  await waitFor(() => outcomes.count('failed', failing.url) === 33, 'two more failures');
  await notifier.stop();
  assert.deepEqual(
    forFailing()
      .slice(2)
      .map((line) => line['failures']),
    [1, 1],
  );
});
