// Both Persistence implementations on SQLite, for tests that hold each to the same contract.
import type { Persistence } from '../../src/store/persistence.js';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import { SqliteThreadPersistence } from '../../src/store/sqlite/sqlite-thread-persistence.js';

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
