// SqliteThreadPersistence against SqlitePersistence on the same real files: errors cross the thread as
// the same classes with the same message, `locked` and `code`; calls apply in the order made; close
// finishes what was sent. (The store-level contract runs on both in persistence.test.ts and
// storage-faults-store.test.ts; a dying thread is in sqlite-thread-persistence-death.test.ts.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { StorageError, type Persistence } from '../../src/store/persistence.js';
import { DatabaseOpenError } from '../../src/store/sqlite/open-database.js';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import { LOAD_PAGE_ROWS, SqliteThreadPersistence } from '../../src/store/sqlite/sqlite-thread-persistence.js';
import { healthyBatch, logEntry, remove, save } from '../helpers/registry-writes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { holdWriteLock, readDatabase } from '../helpers/write-lock.js';

/** What the store and the API read of a refusal. */
function refusal(error: unknown): { class: string; message: string; locked: boolean; code: string | null } {
  assert.ok(error instanceof StorageError, `a StorageError, not ${String(error)}`);
  return { class: error.constructor.name, message: error.message, locked: error.locked, code: error.code };
}

const refusalOf = (call: Promise<unknown>): Promise<ReturnType<typeof refusal>> =>
  call.then(
    () => assert.fail('the call should have been refused'),
    (error: unknown) => refusal(error),
  );

test("another connection's write lock: every write is refused with the same StorageError as on the calling thread", async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const threaded = await SqliteThreadPersistence.open(path);
  const direct = SqlitePersistence.open(path);
  t.after(async () => {
    await threaded.close();
    await direct.close();
  });
  const lock = holdWriteLock(path);
  t.after(() => lock.release());

  const calls = (persistence: Persistence): Promise<unknown>[] => [
    persistence.writeRegistry([save('a')], [logEntry(1, 'a')]),
    persistence.saveProbeBatch(healthyBatch('a', 1)),
    persistence.checkWritable(),
    persistence.prune({ transitionsBefore: 0, hoursBefore: 0 }, 10),
  ];
  const fromThread = await Promise.all(calls(threaded).map(refusalOf));
  const fromCaller = await Promise.all(calls(direct).map(refusalOf));
  assert.deepEqual(fromThread, fromCaller);
  assert.deepEqual(fromThread[0], {
    class: 'StorageError',
    message:
      'the database could not commit the change: another connection holds its write lock (SQLITE_BUSY); nothing was changed',
    locked: true,
    code: 'SQLITE_BUSY',
  });
  // Reads go on under the lock (WAL), and writes once it is let go.
  assert.deepEqual(await threaded.eventsAfter(0, 10), []);
  lock.release();
  await threaded.writeRegistry([save('a')], [logEntry(1, 'a')]);
  assert.deepEqual(
    (await threaded.load(0)).services.map((s) => s.request.id),
    ['a'],
  );
});

test('a refusal for another reason keeps its engine code and is not taken for a lock', async (t) => {
  const threaded = await SqliteThreadPersistence.open(join(tempDir(t), 'monitor.db'));
  const direct = SqlitePersistence.open(':memory:');
  t.after(async () => {
    await threaded.close();
    await direct.close();
  });
  for (const persistence of [threaded, direct]) await persistence.writeRegistry([save('a')], [logEntry(1, 'a')]);
  // The same log entry id twice: the primary key refuses it.
  const again = (persistence: Persistence) => refusalOf(persistence.writeRegistry([save('b')], [logEntry(1, 'b')]));
  const fromThread = await again(threaded);
  assert.deepEqual(fromThread, await again(direct));
  assert.equal(fromThread.locked, false);
  assert.equal(fromThread.code, 'SQLITE_CONSTRAINT_PRIMARYKEY');
  assert.match(
    fromThread.message,
    /^the database could not commit the change \(SQLITE_CONSTRAINT_PRIMARYKEY: UNIQUE constraint failed: events\.id\); nothing was changed$/,
  );
  assert.deepEqual(
    (await threaded.load(0)).services.map((s) => s.request.id),
    ['a'],
    'nothing of the refused write was applied',
  );
});

test('a database that cannot be opened is refused at open with the same DatabaseOpenError', async (t) => {
  const dir = tempDir(t);
  const notADatabase = join(dir, 'garbage.db');
  writeFileSync(notADatabase, 'this is not an SQLite file, and it must be left as it is'.repeat(20));
  const fileAsFolder = join(dir, 'file');
  writeFileSync(fileAsFolder, '');
  mkdirSync(join(dir, 'folder.db'));
  for (const path of [notADatabase, join(fileAsFolder, 'monitor.db'), join(dir, 'folder.db')]) {
    let expected: unknown;
    try {
      SqlitePersistence.open(path);
      assert.fail(`${path} should not open`);
    } catch (error) {
      expected = error;
    }
    assert.ok(expected instanceof DatabaseOpenError, String(expected));
    const refused = await SqliteThreadPersistence.open(path).then(
      () => assert.fail(`${path} should not open in the thread`),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof DatabaseOpenError, String(refused));
    assert.equal(refused.message, expected.message);
  }
});

test('calls apply in the order made, none awaited: each read sees exactly the writes sent before it', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const persistence = await SqliteThreadPersistence.open(path);
  t.after(() => persistence.close());
  const writes: Promise<void>[] = [];
  const reads: Promise<number[]>[] = [];
  for (let i = 1; i <= 100; i++) {
    writes.push(persistence.writeRegistry([save(`s${i}`)], [logEntry(i, `s${i}`)]));
    reads.push(persistence.eventsAfter(0, 1000).then((events) => events.map((event) => event.id)));
  }
  // A probe batch, a removal, then a load, all in flight together.
  const batch = persistence.saveProbeBatch(healthyBatch('s1', 101));
  const removal = persistence.writeRegistry([remove('s2')], [logEntry(102, 's2', 'deregistered')]);
  const loaded = persistence.load(0);
  await Promise.all([...writes, batch, removal]);
  const seen = await Promise.all(reads);
  for (const [index, ids] of seen.entries())
    assert.deepEqual(
      ids,
      Array.from({ length: index + 1 }, (_, i) => i + 1),
      `read ${index + 1}`,
    );
  const { services, lastEventId } = await loaded;
  assert.equal(lastEventId, 102);
  assert.equal(services.length, 99, 's2 was removed before the load');
  assert.equal(
    services.find((s) => s.request.id === 's1')?.state.health,
    'healthy',
    'the batch was applied before the load',
  );
});

test('close lets the calls already sent finish, then ends the thread; later calls are refused', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const persistence = await SqliteThreadPersistence.open(path);
  const writes = Array.from({ length: 50 }, (_, i) =>
    persistence.writeRegistry([save(`s${i}`)], [logEntry(i + 1, `s${i}`)]),
  );
  await persistence.close();
  await Promise.all(writes);
  assert.equal(
    readDatabase(path, (db) => (db.prepare('SELECT count(*) AS n FROM services').get() as { n: number }).n),
    50,
  );
  assert.deepEqual(await refusalOf(persistence.load(0)), {
    class: 'StorageError',
    message: 'the storage is closed; nothing was changed',
    locked: false,
    code: null,
  });
  await persistence.close();
});

test('the thread keeps the process alive while a call waits, and not once it is idle', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'monitor.db');
  const module = new URL('../../src/store/sqlite/sqlite-thread-persistence.js', import.meta.url).href;
  // Nothing else holds the event loop: a close that let the process end before the thread had would
  // never print "closed"; an idle thread that held it would keep the process past the timeout.
  const script = `
    const { SqliteThreadPersistence } = await import(${JSON.stringify(module)});
    const first = await SqliteThreadPersistence.open(${JSON.stringify(path)});
    // A registry write opens the log file for its fsync: closing then takes the thread a while longer.
    await first.writeRegistry([{ kind: 'delete', serviceId: 'x' }], []);
    await first.close();
    console.log('closed');
    const second = await SqliteThreadPersistence.open(${JSON.stringify(path)});
    await second.load(0);
    console.log('left open');`;
  // A file, not --eval: the thread inherits the process's flags, and --input-type is refused in a worker.
  writeFileSync(join(dir, 'script.mjs'), script);
  const child = spawnSync(process.execPath, [join(dir, 'script.mjs')], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(child.status, 0, `${child.stderr}${child.error ? String(child.error) : ''}`);
  assert.equal(child.stdout, 'closed\nleft open\n');
});

test('a registry larger than a load page comes back whole, in pages, exactly as SqlitePersistence loads it', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const direct = SqlitePersistence.open(path);
  const services = 2 * LOAD_PAGE_ROWS + 7;
  const ids = Array.from({ length: services }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
  await direct.writeRegistry(
    ids.map(save),
    ids.map((id, i) => logEntry(i + 1, id)),
  );
  // The current hour's aggregate of every service, and one of an older hour that must stay out.
  const hourStart = 3_600_000 * 500;
  const hour = (serviceId: string, start: number) => ({
    serviceId,
    hourStart: start,
    probes: 3,
    successes: 2,
    totalResponseMs: 30,
    histogram: { '10': 3 },
  });
  await direct.saveProbeBatch({
    services: [],
    transitions: [],
    events: [],
    hours: [...ids.map((id) => hour(id, hourStart)), hour('svc-00000', hourStart - 3_600_000)],
  });
  const expected = await direct.load(hourStart);
  await direct.close();

  const threaded = await SqliteThreadPersistence.open(path);
  t.after(() => threaded.close());
  const loaded = await threaded.load(hourStart);
  assert.equal(loaded.services.length, services);
  assert.equal(loaded.openHours.length, services);
  assert.equal(loaded.lastEventId, services);
  const byId = <T>(items: readonly T[], id: (item: T) => string): T[] =>
    [...items].sort((a, b) => id(a).localeCompare(id(b)));
  assert.deepEqual(
    loaded.services,
    byId(expected.services, (service) => service.request.id),
  );
  assert.deepEqual(
    loaded.openHours,
    byId(expected.openHours, (aggregate) => aggregate.serviceId),
  );
});
