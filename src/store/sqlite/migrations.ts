// The schema, as numbered migrations applied in order at start; PRAGMA user_version records the last one.
import type { Database } from 'better-sqlite3';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** 'HMON': marks a database as ours, so another application's SQLite file is never migrated. */
export const APPLICATION_ID = 0x484d4f4e;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'the registry: one row per service, its registration and last known state as JSON',
    sql: `
      CREATE TABLE services (
        id TEXT PRIMARY KEY,
        request TEXT NOT NULL,
        generation INTEGER NOT NULL,
        registered_at INTEGER NOT NULL,
        state TEXT NOT NULL
      ) STRICT;`,
  },
  {
    version: 2,
    description: 'history: state transitions and hourly probe aggregates',
    sql: `
      CREATE TABLE transitions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        service_id TEXT NOT NULL,
        from_health TEXT NOT NULL,
        from_ready INTEGER NOT NULL,
        to_health TEXT NOT NULL,
        to_ready INTEGER NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX transitions_by_service ON transitions (service_id, id);
      CREATE INDEX transitions_by_time ON transitions (at);
      CREATE TABLE probe_hours (
        service_id TEXT NOT NULL,
        hour_start INTEGER NOT NULL,
        probes INTEGER NOT NULL,
        successes INTEGER NOT NULL,
        total_response_ms INTEGER NOT NULL,
        histogram TEXT NOT NULL,
        PRIMARY KEY (service_id, hour_start)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX probe_hours_by_time ON probe_hours (hour_start);`,
  },
  {
    version: 3,
    description:
      'the event log: registrations, removals and transitions with increasing ids, replayed to stream clients',
    // AUTOINCREMENT: ids never go back, even when pruning empties the table, so a client's Last-Event-ID stays meaningful.
    sql: `
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        service_id TEXT NOT NULL,
        data TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX events_by_time ON events (at);`,
  },
  {
    version: 4,
    description: 'maintenance windows, per service or for every service (scope *)',
    sql: `
      CREATE TABLE maintenance (
        scope TEXT PRIMARY KEY,
        starts_at INTEGER NOT NULL,
        until INTEGER NOT NULL,
        reason TEXT NOT NULL
      ) STRICT;`,
  },
];

export const LATEST_VERSION = MIGRATIONS.length;

export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses a database this monitor must not write to; reads only, so a refused file stays as it was. */
export function assertMigratable(db: Database): void {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw new SchemaError(
      `the database has schema version ${current}, newer than this monitor knows (${LATEST_VERSION}): upgrade the monitor`,
    );
  }
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const tableCount = (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number })
    .n;
  if (applicationId !== APPLICATION_ID && (current !== 0 || tableCount > 0)) {
    throw new SchemaError('the file is a SQLite database of another application');
  }
}

/** Brings the schema to `target` (default: latest), each migration in its own transaction. */
export function migrate(db: Database, target = LATEST_VERSION): void {
  assertMigratable(db);
  const current = schemaVersion(db);
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
