import assert from 'node:assert/strict';
import { unlinkSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../../tests/helpers/temp-dir.js';
import { StorageError } from '../persistence.js';
import { SqlitePersistence } from './sqlite-persistence.js';
import { WalSync, type OpenLog } from './wal-sync.js';

/** An OpenLog that counts the opens and the datasyncs made through the handles it gives. */
function watchedOpen(): { openLog: OpenLog; opens: number; syncs: number } {
  const watch = {
    opens: 0,
    syncs: 0,
    openLog: async (path: string): Promise<FileHandle> => {
      watch.opens += 1;
      const handle = await open(path, 'r');
      const datasync = handle.datasync.bind(handle);
      handle.datasync = async () => {
        watch.syncs += 1;
        return datasync();
      };
      return handle;
    },
  };
  return watch;
}

test('a missing log fails the sync with the reason, and a later sync opens the file afresh and syncs it', async (t) => {
  const path = join(tempDir(t), 'db-wal');
  const watch = watchedOpen();
  const wal = new WalSync(path, watch.openLog);
  await assert.rejects(wal.sync(), /ENOENT/);
  assert.equal(watch.syncs, 0);
  writeFileSync(path, 'frames');
  await wal.sync();
  await wal.sync();
  assert.deepEqual(
    { opens: watch.opens, syncs: watch.syncs },
    { opens: 2, syncs: 2 },
    'reopened once after the failure, then kept open',
  );
  await wal.close();
});

test('an in-memory database has nothing to sync: no file is opened', async () => {
  const watch = watchedOpen();
  await new WalSync(null, watch.openLog).sync();
  assert.deepEqual({ opens: watch.opens, syncs: watch.syncs }, { opens: 0, syncs: 0 });
});

test('a registry commit whose log cannot be synced is a StorageError saying it may or may not persist', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const persistence = SqlitePersistence.open(path);
  t.after(() => persistence.close());
  // SQLite keeps writing through its own descriptor; ours, opened by name at the first commit, fails.
  unlinkSync(`${path}-wal`);
  await assert.rejects(
    persistence.writeRegistry([], [{ id: 1, kind: 'registered', serviceId: 'a', data: '{}', at: 0 }]),
    (error: unknown) => {
      assert.ok(error instanceof StorageError, String(error));
      assert.match(
        error.message,
        /committed the change but could not make it durable .*ENOENT.*may or may not be there after a restart/,
      );
      return true;
    },
  );
});
