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
    throw new DatabaseOpenError(`DB_PATH ${path} is not a usable health-monitor database (${reasonOf(error)}); it was left untouched`);
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
  return db;
}
