// Resuming GET /events with Last-Event-ID: the `gap` notice when the events that followed were pruned
// by the history retention, and a replay that overlaps live events sending each event once, in order.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import type { ServiceStore } from '../../src/store/store.js';
import { serveApi } from '../helpers/api-server.js';
import { openStore, registration } from '../helpers/fixtures.js';
import { HeldEventsAfter } from '../helpers/held-events-after.js';
import { connectSse, type SseClient, type SseMessage } from '../helpers/sse-client.js';
import { tempDir } from '../helpers/temp-dir.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const RETENTION_DAYS = 7;

/** The notice a client gets when events after its Last-Event-ID are gone, as it is on the wire. */
const gapNotice = (oldestAvailable: number | null): string =>
  `{"reason":"events after Last-Event-ID were pruned by the history retention","oldest_available":${String(oldestAvailable)}}`;

/** What the client got after the `connected` comment, heartbeats aside, as `event id data` lines (an id-less notice shows `-`). */
const received = (client: SseClient): string[] =>
  client.messages
    .filter((message) => !message.comment)
    .map((message: SseMessage) =>
      message.id === null ? `${message.event} - ${message.data}` : `${message.event} ${message.id}`,
    );

async function resume(t: TestContext, eventsUrl: string, lastEventId: number): Promise<SseClient> {
  const client = await connectSse(eventsUrl, { 'last-event-id': String(lastEventId) });
  t.after(() => client.close());
  assert.equal(client.status, 200);
  return client;
}

/** Registers one more service and waits until `clients` all have its event: everything sent before it has arrived. */
async function flush(store: ServiceStore, id: string, clients: readonly SseClient[]): Promise<number> {
  await store.register(registration(id));
  const eventId = store.lastEventId;
  for (const client of clients)
    await client.waitFor((messages) => messages.some((m) => m.id === eventId), `event ${eventId} (${id})`);
  return eventId;
}

test('a client resuming after events that were pruned gets the gap notice, naming the oldest kept, then what is kept', async (t) => {
  let now = Date.UTC(2026, 0, 1);
  const store = await openStore({
    persistence: SqlitePersistence.open(join(tempDir(t), 'monitor.db')),
    now: () => now,
  });
  t.after(() => store.close());
  // Events 1-5 logged ten days ago, 6-8 now; the retention keeps seven days.
  for (let i = 0; i < 5; i++) await store.register(registration(`old-${i}`));
  now += 10 * DAY_MS;
  for (let i = 0; i < 3; i++) await store.register(registration(`new-${i}`));
  assert.equal(await store.prune(RETENTION_DAYS), 5);
  assert.equal(await store.oldestEventId(), 6);
  const { url } = await serveApi(t, store);
  const events = `${url}/events`;

  const afterPruned = await resume(t, events, 2); // 3-5 are gone
  const atTheEdge = await resume(t, events, 5); // nothing after it is gone
  const upToDate = await resume(t, events, 8);
  const last = await flush(store, 'live-0', [afterPruned, atTheEdge, upToDate]);
  assert.equal(last, 9);

  assert.deepEqual(received(afterPruned), [
    `gap - ${gapNotice(6)}`,
    'registered 6',
    'registered 7',
    'registered 8',
    'registered 9',
  ]);
  assert.deepEqual(
    received(atTheEdge),
    ['registered 6', 'registered 7', 'registered 8', 'registered 9'],
    'no gap when the next event is kept',
  );
  assert.deepEqual(received(upToDate), ['registered 9']);
});

test('when every event after Last-Event-ID was pruned, the gap notice says none is kept, and live events follow', async (t) => {
  let now = Date.UTC(2026, 0, 1);
  const store = await openStore({
    persistence: SqlitePersistence.open(join(tempDir(t), 'monitor.db')),
    now: () => now,
  });
  t.after(() => store.close());
  for (let i = 0; i < 4; i++) await store.register(registration(`old-${i}`));
  now += 10 * DAY_MS;
  assert.equal(await store.prune(RETENTION_DAYS), 4);
  assert.equal(await store.oldestEventId(), null);
  const { url } = await serveApi(t, store);

  const client = await resume(t, `${url}/events`, 1);
  await flush(store, 'live-0', [client]);
  assert.deepEqual(received(client), [`gap - ${gapNotice(null)}`, 'registered 5']);
});

test('events committed while a replay is held arrive once each, in order, after the replayed ones', async (t) => {
  const persistence = new HeldEventsAfter(SqlitePersistence.open(join(tempDir(t), 'monitor.db')));
  const store = await openStore({ persistence });
  t.after(() => store.close());
  for (let i = 0; i < 5; i++) await store.register(registration(`before-${i}`));
  const { url } = await serveApi(t, store);

  const hold = persistence.hold();
  const client = await resume(t, `${url}/events`, 2);
  await hold.reached;
  // The client is subscribed (the hub registers it before replaying): these are queued for it live,
  // and, committed before the replay reads the log, replayed as well.
  for (let i = 0; i < 5; i++) await store.register(registration(`during-${i}`));
  assert.equal(store.lastEventId, 10);
  hold.release();
  const last = await flush(store, 'after-0', [client]);

  const ids = client.events().map((message) => message.id);
  assert.deepEqual(
    ids,
    Array.from({ length: last - 2 }, (_, i) => 3 + i),
    'each event after Last-Event-ID once, in increasing order',
  );
});
