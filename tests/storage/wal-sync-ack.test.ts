// A registration is answered only once the write-ahead log holding its commit has been synced to disk.
// A SIGKILL cannot show a missing sync (the OS still holds the written pages), so the test watches the
// sync itself: the log is opened through WalSync's `openLog` seam, and each `datasync` of that
// descriptor is recorded with what was committed when it started. Every 201 must come after a sync
// that finished and had started after its registration's commit: commit -> sync -> ack.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import type { OpenLog } from '../../src/store/sqlite/wal-sync.js';
import { postRegistration, serveApi } from '../helpers/api-server.js';
import { openStore } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

type Step =
  | { readonly kind: 'synced'; readonly committedAtStart: ReadonlySet<string> }
  | { readonly kind: 'ack'; readonly id: string };

test('every acknowledged registration was committed, then its write-ahead log synced, before the answer', async (t) => {
  const dbPath = join(tempDir(t), 'monitor.db');
  const walPath = `${dbPath}-wal`;
  const steps: Step[] = [];
  const opened: string[] = [];
  // A second connection, as another process would read the file: what it sees is committed.
  let reader: Database.Database | null = null;
  const committedIds = (): ReadonlySet<string> => {
    reader ??= new Database(dbPath, { readonly: true });
    return new Set((reader.prepare('SELECT id FROM services').all() as { id: string }[]).map((row) => row.id));
  };
  t.after(() => reader?.close());

  const openLog: OpenLog = async (path) => {
    opened.push(path);
    const handle = await open(path, 'r');
    // The descriptor is the log's file, not a name that happens to match.
    assert.equal((await handle.stat()).ino, statSync(walPath).ino, 'the synced descriptor is the write-ahead log');
    const datasync = handle.datasync.bind(handle);
    handle.datasync = async () => {
      const committedAtStart = committedIds();
      await datasync();
      steps.push({ kind: 'synced', committedAtStart });
    };
    return handle;
  };

  const store = await openStore({ persistence: SqlitePersistence.open(dbPath, { openLog }) });
  t.after(() => store.close());
  const api = await serveApi(t, store);

  const register = async (id: string): Promise<void> => {
    const { status, body } = await postRegistration(api.url, id);
    assert.equal(status, 201, `registering ${id}: ${body}`);
    steps.push({ kind: 'ack', id });
  };
  // One at a time (a commit each), then 40 at once (group commits of several).
  for (let i = 0; i < 5; i++) await register(`one-${i}`);
  await Promise.all(Array.from({ length: 40 }, (_, i) => register(`many-${i}`)));

  const acks = steps.filter((step) => step.kind === 'ack');
  assert.equal(acks.length, 45);
  for (const [index, step] of steps.entries()) {
    if (step.kind !== 'ack') continue;
    const syncedBefore = steps
      .slice(0, index)
      .some((earlier) => earlier.kind === 'synced' && earlier.committedAtStart.has(step.id));
    assert.ok(
      syncedBefore,
      `${step.id} was acknowledged without a sync of the write-ahead log, started after its commit, having finished first`,
    );
  }
  assert.ok(
    opened.length > 0 && opened.every((path) => path === walPath),
    `the log opened for syncing: ${opened.join(', ')}`,
  );
  // Group commit still holds: fewer syncs than registrations.
  const syncs = steps.filter((step) => step.kind === 'synced').length;
  assert.ok(syncs < 45, `${syncs} syncs for 45 registrations`);
});
