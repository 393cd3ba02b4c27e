// The Persistence implementations, for tests that hold each to the same contract: SQLite on the calling
// thread, SQLite on a thread of its own, and PostgreSQL (a database per path, dropped with dropTestDatabases).
import type { Persistence } from '../../src/store/persistence.js';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import { SqliteThreadPersistence } from '../../src/store/sqlite/sqlite-thread-persistence.js';
import { PostgresPersistence } from '../../src/store/postgres/postgres-persistence.js';
import { createTestDatabase } from './postgres.js';

export interface PersistenceImplementation {
  readonly name: string;
  /** `:memory:` or a file path, as SqlitePersistence.open takes it. */
  open(path: string): Promise<Persistence>;
}

export const SQLITE_IMPLEMENTATIONS: readonly PersistenceImplementation[] = [
  { name: 'SqlitePersistence (on the calling thread)', open: async (path) => SqlitePersistence.open(path) },
  {
    name: 'SqliteThreadPersistence (SQLite on a thread of its own)',
    open: (path) => SqliteThreadPersistence.open(path),
  },
];

/** A path's database: the same path opens the same database again (a restart); `:memory:` is always new. */
const databaseOfPath = new Map<string, Promise<string>>();

export const POSTGRES_IMPLEMENTATION: PersistenceImplementation = {
  name: 'PostgresPersistence (a real PostgreSQL database)',
  open: async (path) => {
    let url = path === ':memory:' ? undefined : databaseOfPath.get(path);
    if (url === undefined) {
      url = createTestDatabase();
      if (path !== ':memory:') databaseOfPath.set(path, url);
    }
    return PostgresPersistence.open(await url);
  },
};

export const PERSISTENCE_IMPLEMENTATIONS: readonly PersistenceImplementation[] = [
  ...SQLITE_IMPLEMENTATIONS,
  POSTGRES_IMPLEMENTATION,
];
