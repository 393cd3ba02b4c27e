// The store facing a database that refuses writes, on real SQLite files: locked by another
// connection (SQLITE_BUSY) or full (SQLITE_FULL). Probe results are applied in memory and wait;
// registrations are refused with the reason; the database catches up once it takes writes again.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { StorageHealth, TransitionEvent } from '../../src/store/events.js';
import { StorageError, type StoredEvent } from '../../src/store/persistence.js';
import { openDatabase } from '../../src/store/sqlite/open-database.js';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import { STORAGE_RETRY_MS, type ServiceStore } from '../../src/store/store.js';
import { UnsavedResults } from '../../src/store/unsaved-results.js';
import { HEALTHY, openStore, probeResult, registration } from '../helpers/fixtures.js';
import { SQLITE_IMPLEMENTATIONS } from '../helpers/persistence-implementations.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { holdWriteLock, readDatabase } from '../helpers/write-lock.js';

const LOCK_WAIT_MS = 200;

function listen(store: ServiceStore) {
  const heard = { transitions: [] as TransitionEvent[], recorded: [] as StoredEvent[], storage: [] as StorageHealth[] };
  store.events.on('transition', (event) => heard.transitions.push(event));
  store.events.on('recorded', (event) => heard.recorded.push(event));
  store.events.on('storage', (event) => heard.storage.push(event));
  return heard;
}

const storedStates = (path: string): Record<string, string> =>
  readDatabase(path, (db) =>
    Object.fromEntries(
      (db.prepare('SELECT id, state FROM services ORDER BY id').all() as { id: string; state: string }[]).map((row) => [
        row.id,
        (JSON.parse(row.state) as { health: string }).health,
      ]),
    ),
  );

const storedTransitions = (path: string): string[] =>
  readDatabase(path, (db) =>
    (
      db.prepare('SELECT service_id, to_health FROM transitions ORDER BY id').all() as {
        service_id: string;
        to_health: string;
      }[]
    ).map((row) => `${row.service_id}:${row.to_health}`),
  );

for (const { name, open } of SQLITE_IMPLEMENTATIONS) {
  describe(name, () => {
    test('locked: a refused probe batch is applied in memory and written, in order, before the next write that succeeds', async (t) => {
      const path = join(tempDir(t), 'monitor.db');
      const store = await openStore({ persistence: await open(path), lockWaitMs: LOCK_WAIT_MS });
      t.after(() => store.close());
      const a = (await store.register(registration('a'))).record;
      const b = (await store.register(registration('b'))).record;
      const heard = listen(store);
      const idBeforeOutage = store.lastEventId;

      const lock = holdWriteLock(path);
      t.after(() => lock.release());
      assert.equal(
        await store.applyResults([
          probeResult('a', a.generation, HEALTHY),
          probeResult('b', b.generation, { kind: 'http_status', status: 500 }),
        ]),
        2,
      );
      assert.equal(store.get('a')?.state.health, 'healthy', 'what the target answered is shown at once');
      assert.equal(store.get('b')?.state.health, 'unhealthy');
      assert.deepEqual(
        heard.transitions.map((e) => `${e.serviceId}:${e.to.health}`),
        ['a:healthy', 'b:unhealthy'],
        'notifiers hear it at once',
      );
      assert.equal(heard.recorded.length, 0, 'the event log only carries what is written');
      assert.deepEqual(
        { ...store.storage, lastError: null, failingSince: null },
        {
          status: 'failing',
          failingSince: null,
          lastError: null,
          unsavedServices: 2,
          unsavedTransitions: 2,
          droppedTransitions: 0,
        },
      );
      assert.match(store.storage.lastError ?? '', /another connection holds its write lock \(SQLITE_BUSY\)/);
      assert.deepEqual(storedStates(path), { a: 'unknown', b: 'unknown' });

      // A registration waits out the lock without blocking the thread, then is refused with the reason.
      const started = performance.now();
      let turns = 0;
      const ticking = setInterval(() => turns++, 10);
      const refused = await store.register(registration('c')).catch((error: unknown) => error);
      clearInterval(ticking);
      const waited = performance.now() - started;
      assert.ok(refused instanceof StorageError && refused.locked, String(refused));
      assert.match(
        refused.message,
        /held its write lock \(SQLITE_BUSY\) for the \d+ ms the monitor waited; nothing was changed/,
      );
      assert.ok(waited >= LOCK_WAIT_MS && waited < LOCK_WAIT_MS + 500, `refused after ${waited} ms`);
      assert.ok(turns >= 5, `timers ran ${turns} times while the write waited`);
      assert.equal(store.get('c'), undefined);
      assert.equal(heard.storage.length, 1, 'one failure, announced once');

      lock.release();
      await store.register(registration('c'));
      // Ids handed out for refused attempts were taken back: the log has no gap and keeps the order things happened in.
      assert.deepEqual(
        heard.recorded.map((e) => [e.id, e.kind, e.serviceId]),
        [
          [idBeforeOutage + 1, 'transition', 'a'],
          [idBeforeOutage + 2, 'transition', 'b'],
          [idBeforeOutage + 3, 'registered', 'c'],
        ],
      );
      assert.deepEqual(store.storage, {
        status: 'ok',
        failingSince: null,
        lastError: null,
        unsavedServices: 0,
        unsavedTransitions: 0,
        droppedTransitions: 0,
      });
      assert.deepEqual(
        heard.storage.map((s) => s.status),
        ['failing', 'ok'],
      );
      assert.deepEqual(storedStates(path), { a: 'healthy', b: 'unhealthy', c: 'unknown' });
      assert.deepEqual(storedTransitions(path), ['a:healthy', 'b:unhealthy']);
    });

    test('locked: a service removed after its results waited leaves no history behind', async (t) => {
      const path = join(tempDir(t), 'monitor.db');
      const store = await openStore({ persistence: await open(path), lockWaitMs: LOCK_WAIT_MS });
      t.after(() => store.close());
      const b = (await store.register(registration('b'))).record;
      const lock = holdWriteLock(path);
      await store.applyResults([probeResult('b', b.generation, { kind: 'http_status', status: 500 })]);
      await assert.rejects(store.deregister('b'), StorageError);
      assert.equal(store.get('b')?.state.health, 'unhealthy', 'a refused removal keeps the service');
      lock.release();
      assert.equal(await store.deregister('b'), true);
      assert.deepEqual(storedStates(path), {});
      assert.deepEqual(storedTransitions(path), []);
    });

    test('locked: with nothing waiting to be written, storage recovers by itself once the lock goes', async (t) => {
      const path = join(tempDir(t), 'monitor.db');
      const store = await openStore({ persistence: await open(path), lockWaitMs: LOCK_WAIT_MS });
      t.after(() => store.close());
      const lock = holdWriteLock(path);
      await assert.rejects(store.register(registration('a')), StorageError);
      assert.equal(store.storage.status, 'failing');
      assert.equal(store.storage.unsavedServices, 0);
      lock.release();
      await waitFor(
        () => store.storage.status === 'ok',
        'the retry timer to find the database writable',
        3 * STORAGE_RETRY_MS,
      );
    });

    test('closing while the database is locked does not hang: only the unacknowledged results are lost', async (t) => {
      const path = join(tempDir(t), 'monitor.db');
      const store = await openStore({ persistence: await open(path), lockWaitMs: LOCK_WAIT_MS });
      const a = (await store.register(registration('a'))).record;
      const lock = holdWriteLock(path);
      t.after(() => lock.release());
      await store.applyResults([probeResult('a', a.generation, HEALTHY)]);
      await store.close();
      lock.release();
      assert.deepEqual(
        storedStates(path),
        { a: 'unknown' },
        'the acknowledged registration is there; the probe result never was acknowledged',
      );
    });
  });
}

test('full (SQLITE_FULL): refused at once, with the reason; writes resume when there is room again', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const db = openDatabase(path);
  const store = await openStore({ persistence: SqlitePersistence.over(db), lockWaitMs: LOCK_WAIT_MS });
  t.after(() => store.close());
  const a = (await store.register(registration('a'))).record;
  // The database may not grow past its size now: the disk is full as far as SQLite can tell.
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
  const big = { attributes: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v'.repeat(200)])) };
  const started = performance.now();
  const refused = await store.register(registration('big', undefined, big)).catch((error: unknown) => error);
  assert.ok(refused instanceof StorageError && !refused.locked, String(refused));
  assert.match(
    refused.message,
    /^the database could not commit the change \(SQLITE_FULL: database or disk is full\); nothing was changed$/,
  );
  assert.ok(performance.now() - started < LOCK_WAIT_MS, 'a full disk is not waited for');
  assert.equal(store.get('big'), undefined);
  // Probe results still apply in memory, whether or not the full database takes them.
  await store.applyResults([probeResult('a', a.generation, HEALTHY)]);
  assert.equal(store.get('a')?.state.health, 'healthy');

  db.pragma('max_page_count = 1073741823');
  await store.register(registration('big', undefined, big));
  assert.equal(store.storage.status, 'ok');
  assert.deepEqual(storedStates(path), { a: 'healthy', big: 'unknown' });
});

test('waiting transitions are bounded: beyond the cap the oldest are dropped and counted; states and hours keep the latest', () => {
  const unsaved = new UnsavedResults(3);
  const transition = (serviceId: string, at: number): TransitionEvent => ({
    serviceId,
    from: { health: 'healthy', ready: true },
    to: { health: 'dead', ready: false },
    reason: 'refused',
    at,
  });
  const hour = (serviceId: string, hourStart: number, probes: number) => ({
    serviceId,
    hourStart,
    probes,
    successes: 0,
    totalResponseMs: 0,
    histogram: {},
  });
  unsaved.add({
    services: [],
    transitions: [1, 2, 3, 4, 5].map((at) => transition('a', at)),
    hours: [hour('a', 0, 1), hour('a', 0, 2), hour('a', 3_600_000, 1)],
  });
  assert.deepEqual(
    unsaved.contents().transitions.map((t) => t.at),
    [3, 4, 5],
  );
  assert.deepEqual(
    unsaved.contents().hours.map((h) => [h.hourStart, h.probes]),
    [
      [0, 2],
      [3_600_000, 1],
    ],
  );
  assert.deepEqual(unsaved.counts, { services: 0, transitions: 3, droppedTransitions: 2 });
  unsaved.clear();
  assert.equal(unsaved.isEmpty, true);
  assert.equal(unsaved.counts.droppedTransitions, 2, 'still reported until the failure is over');
  unsaved.resetDropped();
  assert.equal(unsaved.counts.droppedTransitions, 0);
});
