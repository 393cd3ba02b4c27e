import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../../src/api/app.js';
import { ANY_TARGET } from '../../src/domain/index.js';
import type { EventStreamHubOptions } from '../../src/notify/event-stream/event-stream-hub.js';
import type { ServiceStore } from '../../src/store/store.js';
import { serveApi } from '../helpers/api-server.js';
import { openStore, registration, TEST_DEFAULTS } from '../helpers/fixtures.js';
import { startHarness } from '../helpers/harness.js';
import { connectSse, type SseMessage } from '../helpers/sse-client.js';
import { startTarget } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';

async function serveEvents(
  t: TestContext,
  store: ServiceStore,
  hubOptions: Partial<Omit<EventStreamHubOptions, 'events' | 'replay'>> = {},
) {
  const { hub, url } = await serveApi(t, store, { hub: hubOptions });
  return { hub, url: `${url}/events` };
}

const parsed = (message: SseMessage): Record<string, unknown> => JSON.parse(message.data) as Record<string, unknown>;

test('a stream client sees a transition within one interval of the target changing', async (t) => {
  let status = 200;
  const target = await startTarget((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end('{"request_count": 10, "error_count": 0}');
  });
  const harness = await startHarness();
  t.after(async () => {
    await harness.stop();
    await target.close();
  });
  const { url } = await serveEvents(t, harness.store);
  const client = await connectSse(url);
  assert.equal(client.status, 200);
  await harness.register('web', target.url, { pollIntervalSec: 1 });
  await client.waitFor(
    (messages) => messages.some((m) => m.event === 'transition' && parsed(m)['to'] !== undefined),
    'the first transition',
  );

  status = 503;
  const changedAt = Date.now();
  await client.waitFor(
    (messages) =>
      messages.some((m) => m.event === 'transition' && (parsed(m)['to'] as { health: string }).health === 'unhealthy'),
    'the transition to unhealthy',
    3000,
  );
  const seenAfterMs = Date.now() - changedAt;
  assert.ok(seenAfterMs <= 1000 + 500, `seen ${seenAfterMs} ms after the change; the interval is 1000 ms`);
  const transition = client
    .events()
    .find((m) => m.event === 'transition' && (parsed(m)['to'] as { health: string }).health === 'unhealthy');
  assert.deepEqual(parsed(transition as SseMessage)['from'], { health: 'healthy', ready: true });
  assert.equal(parsed(transition as SseMessage)['reason'], 'HTTP 503');
  client.close();
});

test('a client that reconnects with Last-Event-ID gets every missed event once, in order, even while events keep coming', async (t) => {
  const store = await openStore();
  const { url } = await serveEvents(t, store);
  const first = await connectSse(url);
  for (let i = 0; i < 5; i++) await store.register(registration(`early-${i}`));
  await first.waitFor((messages) => messages.filter((m) => m.id !== null).length === 5, 'five events');
  const lastSeen = first.events().at(-1)?.id ?? 0;
  first.close();

  // Missed while disconnected: registrations, a deletion and transitions.
  for (let i = 0; i < 700; i++) await store.register(registration(`missed-${i}`));
  await store.deregister('early-0');
  // Events keep coming while the second client replays.
  const more = Promise.all(Array.from({ length: 200 }, (_, i) => store.register(registration(`during-${i}`))));
  const second = await connectSse(url, { 'last-event-id': String(lastSeen) });
  await more;
  const lastId = store.lastEventId;
  await second.waitFor((messages) => messages.some((m) => m.id === lastId), `event ${lastId}`);
  const ids = second.events().map((m) => m.id);
  const expected = Array.from({ length: lastId - lastSeen }, (_, i) => lastSeen + 1 + i);
  assert.deepEqual(ids, expected, 'no gap and no duplicate');
  const fromLog = await store.eventsAfter(lastSeen, 10_000);
  assert.deepEqual(
    second.events().map((m) => m.data),
    fromLog.map((event) => event.data),
  );
  assert.ok(second.events().some((m) => m.event === 'deregistered' && parsed(m)['service'] === 'early-0'));
  second.close();
});

test('an idle stream gets heartbeat comments', async (t) => {
  const store = await openStore();
  const { url } = await serveEvents(t, store, { heartbeatMs: 50 });
  const client = await connectSse(url);
  await client.waitFor(
    (messages) => messages.filter((m) => m.comment && m.data === 'heartbeat').length >= 2,
    'two heartbeats',
  );
  client.close();
});

test('a client that stops reading is dropped with a final event, and the store never waits for it', async (t) => {
  const store = await openStore();
  const { hub, url } = await serveEvents(t, store, { maxQueued: 20 });
  const slow = await connectSse(url);
  await slow.waitFor((messages) => messages.some((m) => m.data === 'connected'), 'the connected comment');
  slow.pause();
  const longPath = 'p'.repeat(2000);
  // About 11 MB of events: more than the socket buffers hold, so the client's queue fills up.
  for (let i = 0; i < 5000; i++) await store.register(registration(`s${i}`, `http://127.0.0.1:1/${longPath}/${i}`));
  await waitFor(() => hub.size === 0, 'the slow client to be dropped');
  slow.resume();
  await slow.ended;
  const last = slow.messages.at(-1);
  assert.equal(last?.event, 'dropped');
  assert.match(String(parsed(last as SseMessage)['reason']), /client too slow/);
  const lastEventId = Number(parsed(last as SseMessage)['last_event_id']);
  assert.equal(lastEventId, slow.events().at(-1)?.id ?? 0, 'the notice says where to resume');
  assert.equal(store.size, 5000);
});

test('a bad Last-Event-ID is refused with 400, and an id from another log is reset', async (t) => {
  const store = await openStore();
  await store.register(registration('a'));
  const { url } = await serveEvents(t, store);
  const response = await fetch(url, { headers: { 'last-event-id': 'abc' } });
  assert.equal(response.status, 400);
  assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'invalid_last_event_id');
  const ahead = await connectSse(url, { 'last-event-id': '999' });
  await ahead.waitFor((messages) => messages.some((m) => m.event === 'reset'), 'a reset notice');
  await store.register(registration('b'));
  await ahead.waitFor((messages) => messages.some((m) => m.event === 'registered'), 'the next event after the reset');
  ahead.close();
});

test('without an event stream, GET /events answers 503', async () => {
  const store = await openStore();
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: null,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
  });
  const response = await app.request('/events');
  assert.equal(response.status, 503);
});
