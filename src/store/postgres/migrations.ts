// The PostgreSQL schema, as numbered migrations applied in one transaction at start, under an advisory
// lock so that replicas starting together do not race; schema_migrations records what was applied.
import type { Sql } from 'postgres';
import { SHARD_COUNT } from '../../domain/shard.js';
import { SchemaError } from '../sqlite/migrations.js';

export interface PostgresMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** Everything the monitor keeps lives in this schema, so it never meets another application's tables. */
export const SCHEMA = 'health_monitor';

/** The advisory lock key of migrations: any constant shared by every replica. */
const MIGRATION_LOCK_KEY = 0x484d4f4e;

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'the registry, transitions, hourly aggregates and the event log, as on SQLite',
    sql: `
      CREATE TABLE services (
        id text PRIMARY KEY,
        request jsonb NOT NULL,
        generation bigint NOT NULL,
        registered_at bigint NOT NULL,
        state jsonb NOT NULL
      );
      CREATE TABLE transitions (
        id bigserial PRIMARY KEY,
        service_id text NOT NULL,
        from_health text NOT NULL,
        from_ready boolean NOT NULL,
        to_health text NOT NULL,
        to_ready boolean NOT NULL,
        reason text NOT NULL,
        at bigint NOT NULL
      );
      CREATE INDEX transitions_by_service ON transitions (service_id, id);
      CREATE INDEX transitions_by_time ON transitions (at);
      CREATE TABLE probe_hours (
        service_id text NOT NULL,
        hour_start bigint NOT NULL,
        probes integer NOT NULL,
        successes integer NOT NULL,
        total_response_ms double precision NOT NULL,
        histogram jsonb NOT NULL,
        PRIMARY KEY (service_id, hour_start)
      );
      CREATE INDEX probe_hours_by_time ON probe_hours (hour_start, service_id);
      CREATE TABLE events (
        id bigint PRIMARY KEY,
        kind text NOT NULL,
        service_id text NOT NULL,
        data text NOT NULL,
        at bigint NOT NULL
      );
      CREATE INDEX events_by_time ON events (at);
      -- The highest event id ever committed: ids never go back, even when pruning empties the log.
      CREATE TABLE event_ids (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), last_id bigint NOT NULL);
      INSERT INTO event_ids (last_id) VALUES (0);`,
  },
  {
    version: 2,
    description: 'cluster mode: shards, leases, replicas, service revisions and the notice outbox',
    sql: `
      CREATE TABLE cluster (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), shard_count integer NOT NULL);
      INSERT INTO cluster (shard_count) VALUES (${SHARD_COUNT});
      -- The shard of a service is computed by the database, the same way shardOf() does it in the monitor.
      ALTER TABLE services ADD COLUMN shard integer
        GENERATED ALWAYS AS ((('x' || substr(md5(id), 1, 8))::bit(32)::bigint % ${SHARD_COUNT})::integer) STORED;
      CREATE INDEX services_by_shard ON services (shard);
      -- Bumped by every write of a row: replicas that do not own it read what changed since they last looked.
      CREATE SEQUENCE service_revisions;
      ALTER TABLE services ADD COLUMN revision bigint NOT NULL DEFAULT nextval('service_revisions');
      CREATE INDEX services_by_revision ON services (revision);
      CREATE TABLE shard_leases (
        shard integer PRIMARY KEY,
        owner text,
        epoch bigint NOT NULL DEFAULT 0,
        expires_at timestamptz NOT NULL DEFAULT '-infinity'
      );
      INSERT INTO shard_leases (shard) SELECT generate_series(0, ${SHARD_COUNT - 1});
      CREATE TABLE replicas (
        id text PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      -- One notice per (service, transition): inserted with the transition, delivered by the shard's owner.
      CREATE TABLE notices (
        service_id text NOT NULL,
        transition_id bigint NOT NULL,
        shard integer NOT NULL,
        from_health text NOT NULL,
        from_ready boolean NOT NULL,
        to_health text NOT NULL,
        to_ready boolean NOT NULL,
        reason text NOT NULL,
        at bigint NOT NULL,
        claimed_by text,
        claimed_epoch bigint,
        delivered_at timestamptz,
        PRIMARY KEY (service_id, transition_id)
      );
      CREATE INDEX notices_waiting ON notices (shard) WHERE delivered_at IS NULL;
      CREATE INDEX notices_by_time ON notices (at);`,
  },
  {
    version: 3,
    description: 'maintenance windows, per service or for every service (scope *)',
    sql: `
      CREATE TABLE maintenance (
        scope text PRIMARY KEY,
        starts_at bigint NOT NULL,
        until bigint NOT NULL,
        reason text NOT NULL
      );`,
  },
];

export const POSTGRES_LATEST_VERSION = POSTGRES_MIGRATIONS.length;

/** Brings the schema to the latest version; refuses a schema newer than this monitor knows. */
export async function migratePostgres(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_migrations (
      version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const [row] = await tx.unsafe<{ version: number | null }[]>(
      `SELECT max(version) AS version FROM ${SCHEMA}.schema_migrations`,
    );
    const current = row?.version ?? 0;
    if (current > POSTGRES_LATEST_VERSION) {
      throw new SchemaError(
        `the database has schema version ${current}, newer than this monitor knows (${POSTGRES_LATEST_VERSION}): upgrade the monitor`,
      );
    }
    await tx.unsafe(`SET LOCAL search_path TO ${SCHEMA}`);
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version <= current) continue;
      await tx.unsafe(migration.sql);
      await tx.unsafe(`INSERT INTO ${SCHEMA}.schema_migrations (version, description) VALUES ($1, $2)`, [
        migration.version,
        migration.description,
      ]);
    }
  });
}
