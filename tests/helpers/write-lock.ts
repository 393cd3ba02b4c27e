// Another connection taking a database's write lock, as a backup tool or an operator's sqlite3
// shell can: the monitor's own writes then fail with SQLITE_BUSY until it is let go. (Running as
// root, a chmod would not stop the monitor's writes; a held lock does, whoever runs the test.)
import Database from 'better-sqlite3';

export interface WriteLock {
  release(): void;
}

export function holdWriteLock(path: string): WriteLock {
  // Waits for the lock if the monitor is committing at this instant; it never holds it longer.
  const db = new Database(path, { timeout: 1000 });
  // In WAL mode EXCLUSIVE is the same lock as IMMEDIATE: writers wait, readers do not.
  db.exec('BEGIN EXCLUSIVE');
  return {
    release() {
      if (!db.open) return;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

/** What the database file holds, read through a connection of its own. */
export function readDatabase<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
