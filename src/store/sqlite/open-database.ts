// Opens DB_PATH for the store: the folder made if missing, a bad file refused and left as it was.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { assertMigratable, migrate } from './migrations.js';

export class DatabaseOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const IN_MEMORY = ':memory:';

/**
 * How long SQLite itself waits for another connection's lock. Its wait blocks the thread: on the API
 * thread (SqlitePersistence used directly) better-sqlite3's default of 5 s froze every request, read or
 * not, for 5 s per write while another process held the lock; on the storage thread (SqliteThreadPersistence)
 * it would hold up every read queued behind the write. The store waits for a lock instead, between
 * short attempts, without blocking (StoreOptions.lockWaitMs); this only rides out a lock held for an instant.
 */
export const BUSY_TIMEOUT_MS = 20;

export function openDatabase(path: string): Database.Database {
  if (path !== IN_MEMORY) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new DatabaseOpenError(`cannot create the folder ${dirname(path)} for DB_PATH: ${reasonOf(error)}`);
    }
  }
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new DatabaseOpenError(`cannot open DB_PATH ${path}: ${reasonOf(error)}`);
  }
  try {
    // Reading first: a file that is not a database, or not one we may write, fails before anything is written.
    db.pragma('schema_version');
    assertMigratable(db);
  } catch (error) {
    db.close();
    throw new DatabaseOpenError(
      `DB_PATH ${path} is not a usable health-monitor database (${reasonOf(error)}); it was left untouched`,
    );
  }
  try {
    db.pragma('journal_mode = WAL');
    // Every commit reaches the disk before it returns: what was acknowledged survives power loss.
    db.pragma('synchronous = FULL');
    migrate(db);
    // Fails now, not at the first registration, when the file or its folder cannot be written.
    db.exec('BEGIN IMMEDIATE; ROLLBACK;');
  } catch (error) {
    db.close();
    throw new DatabaseOpenError(`cannot use DB_PATH ${path}: ${reasonOf(error)}`);
  }
  // Until here nothing else runs, so the checks above may wait out another process's lock (better-sqlite3's 5 s).
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}
