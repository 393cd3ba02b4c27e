// Which notices the store's events produce, and for whom: driven through a real store to real receivers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransitionEvent } from '../../src/store/events.js';
import { HEALTHY, openStore, registration } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { noticesOf, startReceiver, type Receiver } from '../helpers/webhook-receiver.js';
import { BAD_BODY, DEAD, drive, HTTP_503, startTestNotifier } from '../helpers/webhook-notifier.js';

function closeAfter(t: { after: (fn: () => Promise<void>) => void }, ...receivers: Receiver[]): void {
  t.after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
  });
}

const summary = (receiver: Receiver): string[] =>
  noticesOf(receiver).map(
    (notice) => `${notice.event} ${notice.service} ${notice.from?.health ?? '-'}→${notice.to?.health ?? '-'}`,
  );

test('a hanging receiver holds up neither the store nor the other receivers, and stop() cuts it within its grace', async (t) => {
  const hanging = await startReceiver(() => 'hang');
  const fast = await startReceiver();
  closeAfter(t, hanging, fast);
  const store = await openStore();
  const { notifier, outcomes, warnings } = startTestNotifier(t, store, {
    receivers: [hanging.url, fast.url],
    timeoutMs: 10_000,
    stopGraceMs: 300,
  });
  await store.register(registration('svc'));
  await drive(store, 'svc', HTTP_503);
  await drive(store, 'svc', HEALTHY);
  await drive(store, 'svc', DEAD);
  assert.deepEqual(outcomes.all, [], 'the store went on without waiting for any delivery');

  // Well inside the hanging receiver's 10 s timeout.
  await waitFor(() => fast.deliveries.length === 3, 'the fast receiver to get all three', 2000);
  assert.deepEqual(summary(fast), [
    'transition svc unknown→unhealthy',
    'resolved svc unhealthy→healthy',
    'transition svc healthy→dead',
  ]);
  assert.equal(hanging.deliveries.length, 1, 'one delivery at a time: the other two wait behind the hanging one');

  const stopping = performance.now();
  await notifier.stop();
  assert.ok(performance.now() - stopping < 1500, 'stop() returns soon after its 300 ms grace');
  assert.equal(outcomes.count('dropped', hanging.url), 3, 'the one cut in flight and the two waiting');
  assert.equal(outcomes.count('failed'), 0, 'shutdown is not the receiver failing');
  assert.equal(warnings.at(-1)?.msg, 'webhook notices not delivered before shutdown');
  assert.equal(warnings.at(-1)?.['notices'], 3);
});

test('reminders come while a service stays bad and stop when it recovers, is deleted or re-registered', async (t) => {
  const receiver = await startReceiver();
  closeAfter(t, receiver);
  const store = await openStore();
  startTestNotifier(t, store, { receivers: [receiver.url], reminderMs: 100 });
  const ids = ['recovers', 'deleted', 'reregistered', 'control'];
  for (const id of ids) {
    await store.register(registration(id));
    await drive(store, id, DEAD);
  }
  const remindersOf = (id: string, after = 0) =>
    noticesOf(receiver).filter(
      (notice) => notice.event === 'reminder' && notice.service === id && Date.parse(notice.at) > after,
    );
  await waitFor(() => ids.every((id) => remindersOf(id).length >= 2), 'two reminders for every bad service');

  const [reminder] = remindersOf('control');
  const [deadNotice] = noticesOf(receiver).filter(
    (notice) => notice.service === 'control' && notice.event === 'transition',
  );
  assert.ok(reminder && deadNotice);
  assert.deepEqual(
    [reminder.from, reminder.to, reminder.reason],
    [null, { health: 'dead', ready: false }, 'ECONNREFUSED'],
  );
  assert.equal(reminder.bad_since, deadNotice.bad_since, 'how long it has been bad counts from the transition');
  assert.equal(reminder.bad_for_sec, Math.floor((Date.parse(reminder.at) - Date.parse(deadNotice.at)) / 1000));

  await drive(store, 'recovers', HEALTHY);
  await store.deregister('deleted');
  const deletedAt = Date.now();
  await store.register(registration('reregistered'));
  const reregisteredAt = Date.now();
  // Three more reminders for the control service: three periods in which the others had their chance.
  await waitFor(
    () => remindersOf('control', reregisteredAt).length >= 3,
    'the control service to be reminded about three more times',
  );

  const notices = noticesOf(receiver);
  const resolvedAt = notices.findIndex((notice) => notice.event === 'resolved' && notice.service === 'recovers');
  assert.ok(resolvedAt >= 0, 'the recovery was announced');
  assert.deepEqual(
    notices.slice(resolvedAt + 1).filter((notice) => notice.service === 'recovers'),
    [],
    'no reminder after the recovery',
  );
  assert.deepEqual(remindersOf('deleted', deletedAt), [], 'no reminder after the deletion');
  assert.deepEqual(remindersOf('reregistered', reregisteredAt), [], 'no reminder after the re-registration');
});

test('an unchanged health is never announced twice, and a readiness-only change is not announced', async (t) => {
  const receiver = await startReceiver();
  closeAfter(t, receiver);
  const store = await openStore();
  const { outcomes } = startTestNotifier(t, store, { receivers: [receiver.url] });
  const transitions: TransitionEvent[] = [];
  store.events.on('transition', (event) => transitions.push(event));
  await store.register(registration('svc'));

  await drive(store, 'svc', HTTP_503);
  await drive(store, 'svc', HTTP_503);
  const [toUnhealthy] = transitions;
  assert.ok(toUnhealthy);
  // The store never repeats a transition; the notifier holds even if an event came twice.
  store.events.emit('transition', toUnhealthy);
  store.events.emit('transition', { ...toUnhealthy, from: { health: 'unhealthy', ready: false } });
  await drive(store, 'svc', BAD_BODY);
  assert.deepEqual(
    transitions.at(-1)?.to,
    { health: 'unhealthy', ready: true },
    'the store did report the readiness change',
  );
  await drive(store, 'svc', HEALTHY);

  await waitFor(() => outcomes.count('delivered') === 2, 'the resolved notice');
  assert.deepEqual(summary(receiver), ['transition svc unknown→unhealthy', 'resolved svc unhealthy→healthy']);
  assert.deepEqual(
    noticesOf(receiver)[1]?.from,
    { health: 'unhealthy', ready: true },
    'the next notice carries the readiness',
  );
});

test("a registration's webhook_url hears only its own service; WEBHOOK_URLS hear every service, expiry included", async (t) => {
  const everything = await startReceiver();
  const ofA = await startReceiver();
  const ofB = await startReceiver();
  closeAfter(t, everything, ofA, ofB);
  let clock = Date.now();
  const store = await openStore({ now: () => clock });
  // Registered before the notifier starts, as after a restart: known only through `services`.
  await store.register(registration('old', 'http://127.0.0.1:1/old', { webhookUrl: ofA.url, deregisterAfterSec: 60 }));
  const { notifier } = startTestNotifier(t, store, { receivers: [everything.url], services: store.list() });
  await store.register(registration('a', 'http://127.0.0.1:1/a', { webhookUrl: ofA.url }));
  await store.register(registration('b', 'http://127.0.0.1:1/b', { webhookUrl: ofB.url }));
  // Also a shared receiver, spelled differently: it still gets each of c's notices once.
  await store.register(
    registration('c', 'http://127.0.0.1:1/c', { webhookUrl: everything.url.replace('http://', 'HTTP://') }),
  );
  for (const id of ['old', 'a', 'b', 'c']) await drive(store, id, DEAD, clock);
  clock += 61_000;
  await drive(store, 'old', DEAD, clock);
  assert.equal(store.get('old'), undefined, 'expired');

  await waitFor(() => everything.deliveries.length === 5, 'every notice at the shared receiver');
  await notifier.stop();
  assert.deepEqual(summary(everything), [
    'transition old unknown→dead',
    'transition a unknown→dead',
    'transition b unknown→dead',
    'transition c unknown→dead',
    'expired old dead→-',
  ]);
  assert.deepEqual(summary(ofA), ['transition old unknown→dead', 'transition a unknown→dead', 'expired old dead→-']);
  assert.deepEqual(summary(ofB), ['transition b unknown→dead']);
  const expired = noticesOf(ofA).at(-1);
  assert.match(expired?.reason ?? '', /^expired: dead for 60 s, longer than deregister_after_sec 60$/);
  assert.equal(expired?.bad_since, new Date(clock - 61_000 + 5).toISOString());
});

test('a service already bad when the notifier starts (as after a restart) is reminded about', async (t) => {
  const receiver = await startReceiver();
  closeAfter(t, receiver);
  const store = await openStore();
  await store.register(registration('down'));
  await store.register(registration('up'));
  await drive(store, 'down', DEAD);
  await drive(store, 'up', HEALTHY);
  startTestNotifier(t, store, { receivers: [receiver.url], reminderMs: 50, services: store.list() });

  await waitFor(() => receiver.deliveries.length >= 2, 'two reminders');
  assert.deepEqual(
    new Set(summary(receiver)),
    new Set(['reminder down -→dead']),
    'only the bad service, and no transition replayed',
  );
});
