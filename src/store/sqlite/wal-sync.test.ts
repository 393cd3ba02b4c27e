import assert from 'node:assert/strict';
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../../tests/helpers/temp-dir.js';
import { StorageError } from '../persistence.js';
import { SqlitePersistence } from './sqlite-persistence.js';
import { WalSync } from './wal-sync.js';

test('a missing log fails the sync with the reason, and a later sync opens the file afresh', async (t) => {
  const path = join(tempDir(t), 'db-wal');
  const wal = new WalSync(path);
  await assert.rejects(wal.sync(), /ENOENT/);
  writeFileSync(path, 'frames');
  await wal.sync();
  await wal.close();
});

test('an in-memory database has nothing to sync', async () => {
  await new WalSync(null).sync();
});

test('a registry commit whose log cannot be synced is a StorageError saying it may or may not persist', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const persistence = SqlitePersistence.open(path);
  t.after(() => persistence.close());
  // SQLite keeps writing through its own descriptor; ours, opened by name at the first commit, fails.
  unlinkSync(`${path}-wal`);
  await assert.rejects(persistence.writeRegistry([], [{ id: 1, kind: 'registered', serviceId: 'a', data: '{}', at: 0 }]), (error: unknown) => {
    assert.ok(error instanceof StorageError, String(error));
    assert.match(error.message, /committed the change but could not make it durable .*ENOENT.*may or may not be there after a restart/);
    return true;
  });
});
