import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { tempDir } from '../../../tests/helpers/temp-dir.js';
import { LATEST_VERSION, migrate, schemaVersion } from './migrations.js';
import { DatabaseOpenError, openDatabase } from './open-database.js';
import { SqlitePersistence } from './sqlite-persistence.js';

test('a new database is created at the latest schema version, its folder made', (t) => {
  const path = join(tempDir(t), 'nested', 'folder', 'monitor.db');
  const db = openDatabase(path);
  assert.equal(schemaVersion(db), LATEST_VERSION);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL');
  db.close();
});

test('migration from version 1: a database written by the older code path keeps its services', async (t) => {
  const path = join(tempDir(t), 'v1.db');
  // The fixture: the schema as version 1 left it, with a row in version 1's state shape.
  const old = new Database(path);
  migrate(old, 1);
  assert.equal(schemaVersion(old), 1);
  const v1State = {
    health: 'healthy',
    ready: true,
    reason: 'answered 200',
    lastCheckedAt: 1000,
    lastError: null,
    uptimeSec: 5,
    sample: { requestCount: 10, errorCount: 1, uptimeSec: 5 },
    errorRate: 0.1,
    recentErrorRate: null,
    healthAttributes: {},
    consecutiveFailures: 0,
    consecutiveSuccesses: 3,
  };
  old
    .prepare('INSERT INTO services VALUES (?, ?, ?, ?, ?)')
    .run(
      'svc1',
      JSON.stringify({ id: 'svc1', url: 'http://localhost:9001', attributes: { env: 'prod' } }),
      7,
      500,
      JSON.stringify(v1State),
    );
  old.close();

  const persistence = SqlitePersistence.open(path);
  const { services } = await persistence.load(0);
  assert.equal(services.length, 1);
  const [svc1] = services;
  assert.equal(svc1?.request.url, 'http://localhost:9001');
  assert.equal(svc1?.generation, 7);
  assert.equal(svc1?.state.health, 'healthy');
  assert.equal(svc1?.state.sample?.requestCount, 10);
  assert.equal(svc1?.state.badSince, null, 'a field version 1 did not have starts at its initial value');
  assert.equal(svc1?.state.lastResponseMs, null);
  assert.deepEqual(await persistence.transitions('svc1', { limit: 10, beforeId: null }), [], 'version 2 tables exist');
  await persistence.close();
  const reopened = new Database(path);
  assert.equal(schemaVersion(reopened), LATEST_VERSION);
  reopened.close();
});

test('migration from version 2: services, transitions and aggregates are kept, the event log starts empty', async (t) => {
  const path = join(tempDir(t), 'v2.db');
  const old = new Database(path);
  migrate(old, 2);
  assert.equal(schemaVersion(old), 2);
  old
    .prepare('INSERT INTO services VALUES (?, ?, ?, ?, ?)')
    .run(
      'svc1',
      JSON.stringify({ id: 'svc1', url: 'http://localhost:9001', attributes: {} }),
      3,
      500,
      JSON.stringify({ health: 'dead', ready: false }),
    );
  old
    .prepare(
      'INSERT INTO transitions (service_id, from_health, from_ready, to_health, to_ready, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    .run('svc1', 'unknown', 0, 'dead', 0, 'connection refused', 1000);
  old.close();

  const persistence = SqlitePersistence.open(path);
  const loaded = await persistence.load(0);
  assert.equal(loaded.services[0]?.state.health, 'dead');
  assert.equal(loaded.lastEventId, 0);
  assert.equal((await persistence.transitions('svc1', { limit: 10, beforeId: null })).length, 1);
  assert.deepEqual(await persistence.eventsAfter(0, 10), []);
  await persistence.close();
});

test('a database from a newer monitor is refused and left as it was', (t) => {
  const path = join(tempDir(t), 'newer.db');
  const db = new Database(path);
  migrate(db);
  db.pragma(`user_version = ${LATEST_VERSION + 1}`);
  db.close();
  const before = readFileSync(path);
  assert.throws(
    () => openDatabase(path),
    (error: unknown) => error instanceof DatabaseOpenError && /newer than this monitor knows/.test(error.message),
  );
  assert.deepEqual(readFileSync(path), before);
});

test("another application's SQLite database is refused", (t) => {
  const path = join(tempDir(t), 'other.db');
  const db = new Database(path);
  db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
  db.close();
  const before = readFileSync(path);
  assert.throws(() => openDatabase(path), /database of another application.*left untouched/);
  assert.deepEqual(readFileSync(path), before);
});

test('a corrupt file is refused with a clear error and left untouched', (t) => {
  const path = join(tempDir(t), 'corrupt.db');
  const garbage = Buffer.from('this is not a database, just some bytes '.repeat(200));
  writeFileSync(path, garbage);
  assert.throws(
    () => openDatabase(path),
    (error: unknown) =>
      error instanceof DatabaseOpenError && /not a usable health-monitor database.*left untouched/.test(error.message),
  );
  assert.deepEqual(readFileSync(path), garbage);
});

test('a DB_PATH under a regular file gives a clear error', (t) => {
  const file = join(tempDir(t), 'a-file');
  writeFileSync(file, 'x');
  assert.throws(() => openDatabase(join(file, 'monitor.db')), /cannot create the folder .*a-file/);
});
