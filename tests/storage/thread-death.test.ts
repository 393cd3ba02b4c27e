// The storage thread dying: really exiting (process.exit in the thread, through its test hooks) at
// chosen points. No call is left hanging; a write's answer says truly whether it was stored; the
// next call starts a new thread on the same file, and the store goes on with contiguous event ids.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { StorageError } from '../../src/store/persistence.js';
import { REOPEN_PAUSE_MS, SqliteThreadPersistence } from '../../src/store/sqlite/sqlite-thread-persistence.js';
import { openStore, registration } from '../helpers/fixtures.js';
import { healthyBatch, logEntry, save } from '../helpers/registry-writes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { readDatabase } from '../helpers/write-lock.js';

const STOPPED = /^the storage thread stopped \(its exit code was 70\)/;

async function refusedWith(call: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await call.then(
    () => assert.fail('the call should have been refused'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof StorageError, `a StorageError, not ${String(error)}`);
  assert.match(error.message, message);
  assert.equal(error.locked, false);
}

const storedEvents = (path: string): string[] =>
  readDatabase(path, (db) =>
    (
      db.prepare('SELECT id, kind, service_id FROM events ORDER BY id').all() as {
        id: number;
        kind: string;
        service_id: string;
      }[]
    ).map((row) => `${row.id} ${row.kind} ${row.service_id}`),
  );

test('calls waiting when the thread dies are refused with a StorageError saying so; the next call starts a new thread', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const persistence = await SqliteThreadPersistence.open(path, { testHooks: true });
  t.after(() => persistence.close());
  await persistence.writeRegistry([save('a')], [logEntry(1, 'a')]);
  const firstThread = persistence.threadId;
  // Sent behind the exit: the thread never reads it.
  const dying = persistence.testHook('exit-now');
  const unanswered = persistence.eventsAfter(0, 10);
  await refusedWith(dying, STOPPED);
  await refusedWith(
    unanswered,
    /^the storage thread stopped \(its exit code was 70\) before answering; nothing was changed/,
  );
  const { services } = await persistence.load(0);
  assert.deepEqual(
    services.map((s) => s.request.id),
    ['a'],
  );
  assert.notEqual(persistence.threadId, firstThread, 'a new thread answered');
  await persistence.writeRegistry([save('b')], [logEntry(2, 'b')]);
});

test('a write the thread died before starting is refused as never applied, and its event ids are free again', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const persistence = await SqliteThreadPersistence.open(path, { testHooks: true });
  const store = await openStore({ persistence });
  t.after(() => store.close());
  await store.register(registration('a'));
  await persistence.testHook('exit-before-next-write');
  await refusedWith(
    store.register(registration('b')),
    /^the storage thread stopped \(its exit code was 70\) before committing the change; nothing was changed$/,
  );
  assert.equal(store.get('b'), undefined);
  await store.register(registration('c'));
  assert.deepEqual(storedEvents(path), ['1 registered a', '2 registered c']);
});

test('a write committed just before the thread died succeeds once made durable, and the store goes on', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const persistence = await SqliteThreadPersistence.open(path, { testHooks: true });
  const store = await openStore({ persistence });
  t.after(() => store.close());
  await store.register(registration('a'));
  await persistence.testHook('exit-after-next-commit');
  // Refusing it would hand its event id out again, and every later write would collide with it.
  const { created } = await store.register(registration('b'));
  assert.equal(created, true);
  assert.ok(store.get('b'));
  await store.register(registration('c'));
  assert.equal(store.storage.status, 'ok');
  assert.deepEqual(storedEvents(path), ['1 registered a', '2 registered b', '3 registered c']);
});

test('a probe batch without log entries cut off by a death is refused as uncertain: the store writes it again', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const persistence = await SqliteThreadPersistence.open(path, { testHooks: true });
  t.after(() => persistence.close());
  await persistence.writeRegistry([save('a')], [logEntry(1, 'a')]);
  await persistence.testHook('exit-after-next-commit');
  const batch = healthyBatch('a', 2);
  const statesOnly = { ...batch, transitions: [], events: [] };
  await refusedWith(
    persistence.saveProbeBatch(statesOnly),
    /before answering; the change may or may not have been stored$/,
  );
  // States replace the stored ones: writing it again is harmless, whichever way it went.
  await persistence.saveProbeBatch(statesOnly);
  assert.equal((await persistence.load(0)).services[0]?.state.health, 'healthy');
});

test('a thread that cannot reopen the file refuses the calls with the reason, and is tried again a second later', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const persistence = await SqliteThreadPersistence.open(path, { testHooks: true });
  t.after(() => persistence.close());
  await refusedWith(persistence.testHook('exit-now'), STOPPED);
  // Replaced behind the monitor's back while no thread had it open.
  const removeDatabase = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  };
  removeDatabase();
  writeFileSync(path, 'not a database'.repeat(100));
  const unusable =
    /it could not open the database: DB_PATH .*monitor\.db is not a usable health-monitor database \(file is not a database\); it was left untouched/;
  await refusedWith(
    persistence.load(0),
    new RegExp(`^the storage thread stopped \\(${unusable.source}\\) before answering; nothing was changed$`),
  );
  const threadThatFailed = persistence.threadId;
  // Within the pause, calls fail at once with the same reason instead of each starting a thread.
  await refusedWith(
    persistence.eventsAfter(0, 10),
    new RegExp(
      `^the storage thread stopped \\(${unusable.source}\\); it is started again at most every ${REOPEN_PAUSE_MS} ms; nothing was changed$`,
    ),
  );
  assert.equal(persistence.threadId, threadThatFailed);
  // Once the file is usable again, a call after the pause gets a working thread.
  removeDatabase();
  await waitFor(
    () =>
      persistence.load(0).then(
        () => true,
        () => false,
      ),
    'the database to be opened again',
    3 * REOPEN_PAUSE_MS,
  );
  assert.notEqual(persistence.threadId, threadThatFailed);
});

test('an in-memory database dies with its thread: later calls are refused, none hangs', async (t) => {
  const persistence = await SqliteThreadPersistence.open(':memory:', { testHooks: true });
  t.after(() => persistence.close());
  await persistence.writeRegistry([save('a')], [logEntry(1, 'a')]);
  await refusedWith(persistence.testHook('exit-now'), STOPPED);
  await refusedWith(
    persistence.load(0),
    /^the storage thread stopped \(its exit code was 70\), and its in-memory database went with it; nothing was changed$/,
  );
});

test('test hooks are refused unless asked for at open', async (t) => {
  const persistence = await SqliteThreadPersistence.open(':memory:');
  t.after(() => persistence.close());
  await assert.rejects(persistence.testHook('exit-now'), /^Error: test hooks are off for this storage thread$/);
  await persistence.load(0);
});
