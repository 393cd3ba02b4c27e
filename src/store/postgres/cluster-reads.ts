// Cluster mode's reads of what other replicas wrote: changed rows by revision, rows by id or shard.
import type { Sql } from 'postgres';
import type { HourAggregate } from '../../domain/index.js';
import type { StoredService } from '../persistence.js';
import { toHour, toService, type HourRow, type ServiceRow } from './postgres-persistence.js';

const COLUMNS = 'id, request, generation, registered_at, state';

export interface ChangedServices {
  readonly services: StoredService[];
  /** The highest revision read, or the one asked from when none changed. */
  readonly revision: number;
  /** The limit was reached: more rows may have changed since. */
  readonly more: boolean;
}

/**
 * Rows written after `revision`, oldest first, at most `limit`, leaving out the shards in `skipShards`:
 * the ones this replica owns, whose rows it wrote itself.
 */
export async function servicesChangedSince(
  sql: Sql,
  revision: number,
  limit: number,
  skipShards: readonly number[] = [],
): Promise<ChangedServices> {
  // The pointer moves past skipped rows too (`upto`); the one row with nulls says none is left after skipping.
  const rows = await sql<(Partial<ServiceRow> & { upto: number | null; read: number })[]>`
    WITH changed AS (
      SELECT ${sql.unsafe(COLUMNS)}, revision, shard FROM services
      WHERE revision > ${revision} ORDER BY revision LIMIT ${limit}
    ), top AS (SELECT max(revision) AS upto, count(*)::integer AS read FROM changed)
    SELECT top.upto, top.read, c.id, c.request, c.generation, c.registered_at, c.state
    FROM top LEFT JOIN changed c ON NOT (c.shard = ANY(${sql.array([...skipShards])}::integer[]))
    ORDER BY c.revision`;
  const services = rows.flatMap((row) =>
    row.id === undefined || row.id === null ? [] : [toService(row as ServiceRow)],
  );
  return { services, revision: rows[0]?.upto ?? revision, more: rows[0]?.read === limit };
}

export async function latestRevision(sql: Sql): Promise<number> {
  const [row] = await sql<{ revision: number | null }[]>`SELECT max(revision) AS revision FROM services`;
  return row?.revision ?? 0;
}

export async function servicesById(sql: Sql, ids: readonly string[]): Promise<StoredService[]> {
  if (ids.length === 0) return [];
  const rows = await sql<
    ServiceRow[]
  >`SELECT ${sql.unsafe(COLUMNS)} FROM services WHERE id = ANY(${sql.array([...ids])})`;
  return rows.map(toService);
}

/** The services of `shards` with their aggregates for the hour starting at `hourStart`. */
export async function servicesInShards(
  sql: Sql,
  shards: readonly number[],
  hourStart: number,
): Promise<{ services: StoredService[]; openHours: HourAggregate[] }> {
  if (shards.length === 0) return { services: [], openHours: [] };
  const list = sql.array([...shards]);
  const rows = await sql<
    ServiceRow[]
  >`SELECT ${sql.unsafe(COLUMNS)} FROM services WHERE shard = ANY(${list}::integer[])`;
  const hours = await sql<HourRow[]>`
    SELECT h.* FROM probe_hours h JOIN services s ON s.id = h.service_id
    WHERE h.hour_start = ${hourStart} AND s.shard = ANY(${list}::integer[])`;
  return { services: rows.map(toService), openHours: hours.map(toHour) };
}
