// The database becoming unwritable while the monitor runs: another connection takes its write lock.
// Writes answer 503 within the lock wait, reads and probing go on, /healthz says so, nothing
// acknowledged is lost, and once the lock goes writes resume and the database catches up by itself.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ServiceView } from '../../src/api/views.js';
import { spawnMonitor } from '../helpers/processes.js';
import { connectSse } from '../helpers/sse-client.js';
import { json, startTarget } from '../helpers/target.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { holdWriteLock, readDatabase } from '../helpers/write-lock.js';

/** The store's default wait for a locked database (DEFAULT_LOCK_WAIT_MS); the monitor has no flag for it. */
const LOCK_WAIT_MS = 2000;
const HEALTH = { uptime_sec: 5, request_count: 10, error_count: 0 };

interface Healthz {
  status: string;
  storage: {
    status: string;
    failing_since: string | null;
    last_error: string | null;
    unsaved_services: number;
    unsaved_transitions: number;
  };
}

const register = (url: string, id: string, target: string): Promise<Response> =>
  fetch(`${url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, url: target, poll_interval_sec: 1 }),
  });

const getJson = async <T>(url: string): Promise<T> => {
  const response = await fetch(url);
  assert.equal(response.status, 200, `GET ${url}`);
  return (await response.json()) as T;
};

const healthOf = async (url: string): Promise<Record<string, string>> =>
  Object.fromEntries((await getJson<ServiceView[]>(`${url}/services`)).map((service) => [service.id, service.health]));

async function storageErrorOf(response: Response): Promise<{ code: string; message: string }> {
  assert.equal(response.status, 503);
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

test('a database locked by another connection: writes 503 within the wait, reads and probes go on, nothing acknowledged is lost', async (t) => {
  const dbPath = join(tempDir(t), 'monitor.db');
  let flipFails = false;
  const up = await startTarget((_request, response) => json(response, HEALTH));
  const flip = await startTarget((_request, response) =>
    flipFails ? json(response, { error: 'down' }, 500) : json(response, HEALTH),
  );
  let monitor = await spawnMonitor(['--db-path', dbPath]);
  const locks: { release(): void }[] = [];
  t.after(async () => {
    for (const lock of locks) lock.release();
    await monitor.stop();
    await up.close();
    await flip.close();
  });

  for (const id of ['a', 'c']) assert.equal((await register(monitor.url, id, `${up.url}/${id}`)).status, 201);
  assert.equal((await register(monitor.url, 'b', flip.url)).status, 201);
  await waitFor(
    async () => Object.values(await healthOf(monitor.url)).every((h) => h === 'healthy') || undefined,
    'a, b and c healthy',
  );
  const stream = await connectSse(`${monitor.url}/events`, { 'last-event-id': '0' });
  t.after(() => stream.close());

  // Registrations one after another, the lock taken in the middle: the one in flight then may be
  // stored or not, but its answer must say which (checked after the restart).
  let lockTaken = false;
  const raced: { id: string; status: number }[] = [];
  const racing = (async () => {
    for (let i = 0; !lockTaken; i++)
      raced.push({ id: `race${i}`, status: (await register(monitor.url, `race${i}`, `${up.url}/race${i}`)).status });
  })();
  await waitFor(async () => raced.length >= 3, 'a few registrations before the lock');
  const lock = holdWriteLock(dbPath);
  locks.push(lock);
  lockTaken = true;
  flipFails = true;

  // Both writes of the same moment are refused together, once the lock wait is over, and not much later.
  const started = performance.now();
  const refusedRegister = register(monitor.url, 'd', `${up.url}/d`).then(storageErrorOf);
  const refusedDelete = fetch(`${monitor.url}/services/a`, { method: 'DELETE' }).then(storageErrorOf);
  // The wait does not block the thread: a read sent meanwhile is answered before the writes are.
  await getJson<Healthz>(`${monitor.url}/healthz`);
  const answeredReadAt = performance.now() - started;
  const [registerError, deleteError] = await Promise.all([refusedRegister, refusedDelete]);
  const answeredWritesAt = performance.now() - started;
  assert.ok(
    answeredReadAt < answeredWritesAt,
    `the read (${answeredReadAt} ms) came back before the writes (${answeredWritesAt} ms)`,
  );
  assert.ok(answeredWritesAt >= LOCK_WAIT_MS - 100, `the writes waited for the lock (${answeredWritesAt} ms)`);
  assert.ok(
    answeredWritesAt < LOCK_WAIT_MS + 1500,
    `the writes were answered soon after the wait (${answeredWritesAt} ms)`,
  );
  for (const error of [registerError, deleteError]) {
    assert.equal(error.code, 'storage_unavailable');
    // `held … for the N ms the monitor waited`; or `holds`, for a write that queued behind another for its whole wait.
    assert.match(
      error.message,
      /^the database could not commit the change: another connection (held|holds) its write lock \(SQLITE_BUSY\).*; nothing was changed/,
    );
  }

  // Probing goes on: b's failure is seen and shown by every read, though the database cannot take it.
  await waitFor(
    async () => (await healthOf(monitor.url)).b === 'unhealthy' || undefined,
    'b to go unhealthy during the outage',
  );
  const during = await getJson<Healthz>(`${monitor.url}/healthz`);
  assert.equal(during.status, 'degraded');
  assert.equal(during.storage.status, 'failing');
  assert.match(during.storage.last_error ?? '', /SQLITE_BUSY/);
  assert.ok(during.storage.unsaved_transitions >= 1, "b's transition waits to be written");
  const view = await getJson<ServiceView>(`${monitor.url}/services/b`);
  assert.equal(view.last_error, 'HTTP 500');
  assert.equal((await fetch(`${monitor.url}/services/d`)).status, 404, 'the refused registration is nowhere');
  assert.equal((await fetch(`${monitor.url}/services/a`)).status, 200, 'the refused delete kept a');
  const metrics = await getJson<{ service: string; status: string }[]>(`${monitor.url}/metrics`);
  assert.equal(metrics.find((entry) => entry.service === 'b')?.status, 'DOWN');
  const prometheus = await fetch(`${monitor.url}/metrics?format=prometheus`);
  assert.equal(prometheus.status, 200);
  assert.match(await prometheus.text(), /service="b"/);
  // The stream is the committed log: the transition waits for the database, and no id is handed out twice.
  const late = await connectSse(`${monitor.url}/events`, { 'last-event-id': '0' });
  t.after(() => late.close());
  await late.waitFor(
    (messages) => messages.some((m) => m.event === 'registered'),
    'a replay read from the locked database',
  );
  assert.equal(stream.events().filter((m) => m.event === 'transition' && m.data.includes('"unhealthy"')).length, 0);
  await racing;
  assert.ok(
    raced.every(({ status }) => status === 201 || status === 503),
    `answers: ${raced.map(({ status }) => status).join(', ')}`,
  );

  lock.release();
  // Writes resume by themselves: the retry timer writes what waited, and /healthz says so.
  await waitFor(
    async () => (await getJson<Healthz>(`${monitor.url}/healthz`)).storage.status === 'ok' || undefined,
    'storage to recover',
    5000,
  );
  const recovered = await getJson<Healthz>(`${monitor.url}/healthz`);
  assert.equal(recovered.status, 'ok');
  assert.equal(recovered.storage.unsaved_transitions, 0);
  assert.equal((await register(monitor.url, 'd', `${up.url}/d`)).status, 201);
  assert.equal((await fetch(`${monitor.url}/services/c`, { method: 'DELETE' })).status, 204);
  await stream.waitFor(
    (messages) =>
      messages.some(
        (m) => m.event === 'transition' && m.data.includes('"service":"b"') && m.data.includes('"unhealthy"'),
      ),
    "b's transition on the stream once written",
  );
  const ids = stream.events().map((m) => m.id ?? 0);
  assert.deepEqual(
    ids,
    [...ids].sort((x, y) => x - y),
    'stream ids only go up',
  );
  assert.equal(new Set(ids).size, ids.length, 'no id twice');

  // The database caught up with what the API showed: b is stored unhealthy, its transition is in the history.
  const stored = readDatabase(dbPath, (db) => ({
    b: JSON.parse((db.prepare("SELECT state FROM services WHERE id = 'b'").get() as { state: string }).state) as {
      health: string;
    },
    transitions: db.prepare("SELECT to_health FROM transitions WHERE service_id = 'b' ORDER BY id").all() as {
      to_health: string;
    }[],
  }));
  assert.equal(stored.b.health, 'unhealthy');
  assert.deepEqual(
    stored.transitions.map((row) => row.to_health),
    ['healthy', 'unhealthy'],
  );

  assert.match(monitor.output(), /"msg":"storage failing: writes are refused, probe results wait in memory"/);
  assert.match(monitor.output(), /"msg":"storage recovered: writes resume"/);

  // After a crash and a restart, every acknowledged registration is there and nothing refused is.
  await waitFor(async () => (await healthOf(monitor.url)).d === 'healthy' || undefined, 'd probed');
  const before = await healthOf(monitor.url);
  const accepted = raced.filter(({ status }) => status === 201).map(({ id }) => id);
  const refused = raced.filter(({ status }) => status === 503).map(({ id }) => id);
  await monitor.stop();
  monitor = await spawnMonitor(['--db-path', dbPath]);
  const after = await healthOf(monitor.url);
  assert.deepEqual(after, before);
  for (const id of ['a', 'b', 'd', ...accepted]) assert.ok(id in after, `${id} was acknowledged and is still there`);
  for (const id of ['c', ...refused]) assert.ok(!(id in after), `${id} was refused or deleted and is not there`);
});
