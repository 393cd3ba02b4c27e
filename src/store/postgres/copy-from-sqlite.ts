// Copies a SQLite database of this monitor into PostgreSQL: registrations, states, transitions, hourly
// aggregates and the event log, ids kept, in one transaction. A non-empty target is refused unless replaced.
import Database from 'better-sqlite3';
import type { Sql, TransactionSql } from 'postgres';
import { assertMigratable, LATEST_VERSION, schemaVersion } from '../sqlite/migrations.js';
import { migratePostgres } from './migrations.js';

/** Rows per INSERT: large enough to copy quickly, small enough for a bounded message. */
const CHUNK_ROWS = 1000;

export class CopyRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyRefused';
  }
}

export interface CopyCounts {
  readonly services: number;
  readonly transitions: number;
  readonly hours: number;
  readonly events: number;
}

type Row = Record<string, unknown>;

/** Opens the source read-only and checks it is this monitor's, at the schema this version writes. */
function openSource(path: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new CopyRefused(`cannot open ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    assertMigratable(db);
  } catch (error) {
    db.close();
    throw new CopyRefused(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const version = schemaVersion(db);
  if (version !== LATEST_VERSION) {
    db.close();
    throw new CopyRefused(
      `${path} has schema version ${version}, this monitor writes ${LATEST_VERSION}: start this version of the monitor on it once first`,
    );
  }
  return db;
}

async function copyTable(
  tx: TransactionSql,
  source: Database.Database,
  select: string,
  insert: (tx: TransactionSql, rows: readonly Row[]) => Promise<unknown>,
): Promise<number> {
  let count = 0;
  let chunk: Row[] = [];
  for (const row of source.prepare(select).iterate() as IterableIterator<Row>) {
    chunk.push(row);
    if (chunk.length === CHUNK_ROWS) {
      await insert(tx, chunk);
      count += chunk.length;
      chunk = [];
    }
  }
  if (chunk.length > 0) await insert(tx, chunk);
  return count + chunk.length;
}

const column = <T>(rows: readonly Row[], name: string): T[] => rows.map((row) => row[name] as T);

export async function copySqliteToPostgres(
  fromPath: string,
  sql: Sql,
  options: { readonly replace: boolean },
): Promise<CopyCounts> {
  const source = openSource(fromPath);
  try {
    await migratePostgres(sql);
    return await sql.begin(async (tx) => {
      const [existing] = await tx<{ rows: number }[]>`
        SELECT (SELECT count(*) FROM services) + (SELECT count(*) FROM transitions)
             + (SELECT count(*) FROM probe_hours) + (SELECT count(*) FROM events) AS rows`;
      if ((existing?.rows ?? 0) > 0) {
        if (!options.replace) {
          throw new CopyRefused(
            `the target database already holds ${existing?.rows} rows of a monitor; --force replaces them`,
          );
        }
        await tx`TRUNCATE services, transitions, probe_hours, events, maintenance`;
      }
      const services = await copyTable(
        tx,
        source,
        'SELECT * FROM services ORDER BY id',
        (t, rows) => t`
        INSERT INTO services (id, request, generation, registered_at, state)
        SELECT id, request::jsonb, generation, registered_at, state::jsonb
        FROM unnest(${t.array(column<string>(rows, 'id'))}::text[], ${t.array(column<string>(rows, 'request'))}::text[],
          ${t.array(column<number>(rows, 'generation'))}::bigint[], ${t.array(column<number>(rows, 'registered_at'))}::bigint[],
          ${t.array(column<string>(rows, 'state'))}::text[]) AS u(id, request, generation, registered_at, state)`,
      );
      const transitions = await copyTable(
        tx,
        source,
        'SELECT * FROM transitions ORDER BY id',
        (t, rows) => t`
        INSERT INTO transitions (id, service_id, from_health, from_ready, to_health, to_ready, reason, at)
        SELECT * FROM unnest(${t.array(column<number>(rows, 'id'))}::bigint[], ${t.array(column<string>(rows, 'service_id'))}::text[],
          ${t.array(column<string>(rows, 'from_health'))}::text[], ${t.array(rows.map((row) => row['from_ready'] === 1))}::boolean[],
          ${t.array(column<string>(rows, 'to_health'))}::text[], ${t.array(rows.map((row) => row['to_ready'] === 1))}::boolean[],
          ${t.array(column<string>(rows, 'reason'))}::text[], ${t.array(column<number>(rows, 'at'))}::bigint[])`,
      );
      // New transitions continue after the copied ids, so history pages stay in order.
      await tx`SELECT setval(pg_get_serial_sequence('transitions', 'id'), GREATEST((SELECT max(id) FROM transitions), 1))`;
      const hours = await copyTable(
        tx,
        source,
        'SELECT * FROM probe_hours',
        (t, rows) => t`
        INSERT INTO probe_hours (service_id, hour_start, probes, successes, total_response_ms, histogram)
        SELECT service_id, hour_start, probes, successes, total_response_ms, histogram::jsonb
        FROM unnest(${t.array(column<string>(rows, 'service_id'))}::text[], ${t.array(column<number>(rows, 'hour_start'))}::bigint[],
          ${t.array(column<number>(rows, 'probes'))}::integer[], ${t.array(column<number>(rows, 'successes'))}::integer[],
          ${t.array(column<number>(rows, 'total_response_ms'))}::double precision[], ${t.array(column<string>(rows, 'histogram'))}::text[])
          AS u(service_id, hour_start, probes, successes, total_response_ms, histogram)`,
      );
      const events = await copyTable(
        tx,
        source,
        'SELECT * FROM events ORDER BY id',
        (t, rows) => t`
        INSERT INTO events (id, kind, service_id, data, at)
        SELECT * FROM unnest(${t.array(column<number>(rows, 'id'))}::bigint[], ${t.array(column<string>(rows, 'kind'))}::text[],
          ${t.array(column<string>(rows, 'service_id'))}::text[], ${t.array(column<string>(rows, 'data'))}::text[],
          ${t.array(column<number>(rows, 'at'))}::bigint[])`,
      );
      // A file from before maintenance windows has none to copy.
      const hasWindows =
        source.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'maintenance'").get() !== undefined;
      if (hasWindows)
        await copyTable(
          tx,
          source,
          'SELECT * FROM maintenance',
          (t, rows) => t`
          INSERT INTO maintenance (scope, starts_at, until, reason)
          SELECT * FROM unnest(${t.array(column<string>(rows, 'scope'))}::text[], ${t.array(column<number>(rows, 'starts_at'))}::bigint[],
            ${t.array(column<number>(rows, 'until'))}::bigint[], ${t.array(column<string>(rows, 'reason'))}::text[])`,
        );
      // Ids never go back: the source's highest ever, even if pruning emptied its log.
      const lastId = (
        source.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get() as { seq: number } | undefined
      )?.seq;
      await tx`UPDATE event_ids SET last_id = ${lastId ?? 0}`;
      return { services, transitions, hours, events };
    });
  } finally {
    source.close();
  }
}
