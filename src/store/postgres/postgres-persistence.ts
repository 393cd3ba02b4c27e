// Persistence on PostgreSQL: a small connection pool, every write one transaction. Registry writes
// commit durably (synchronous_commit on); probe batches, acknowledged to no one, do not wait for it.
import postgres, { type Sql, type TransactionSql } from 'postgres';
import {
  INITIAL_STATE,
  type HourAggregate,
  type MaintenanceWindow,
  type RegistrationRequest,
  type RollupRange,
  type ServiceState,
} from '../../domain/index.js';
import {
  daysSql,
  rollupParams,
  toRollupRows,
  transitionsSql,
  type DayRowColumns,
  type RollupDialect,
  type TransitionCountColumns,
} from '../daily-rollup-sql.js';
import type { TransitionEvent } from '../events.js';
import {
  commitRefused,
  StorageError,
  storageErrorCode,
  type EventKind,
  type Persistence,
  type DailyRollupRows,
  type ProbeBatch,
  type RegistryWrite,
  type StoredEvent,
  type StoredService,
  type StoredTransition,
} from '../persistence.js';
import { migratePostgres, SCHEMA } from './migrations.js';
import { CHANGES_CHANNEL, type WriteFence } from './write-fence.js';
import { shardOf } from '../../domain/index.js';

const POSTGRES_ROLLUP: RollupDialect = { param: (n) => `$${n}`, idIn: 'service_id = ANY($1::text[])' };

/** Connections in the pool: writes run one at a time from the store actor, reads beside them. */
const POOL_SIZE = 4;
/** Lock waits, serialisation failures and deadlocks: the same write may succeed moments later. */
const LOCK_CODES = new Set(['55P03', '40001', '40P01']);
/** int8 columns (times in epoch ms, ids) as numbers: every value stays below 2^53. */
const INT8_OID = 20;

export interface ServiceRow {
  id: string;
  request: RegistrationRequest;
  generation: number;
  registered_at: number;
  state: Partial<ServiceState>;
}

export interface HourRow {
  service_id: string;
  hour_start: number;
  probes: number;
  successes: number;
  total_response_ms: number;
  histogram: Record<string, number>;
}

interface TransitionRow {
  id: number;
  service_id: string;
  from_health: TransitionEvent['from']['health'];
  from_ready: boolean;
  to_health: TransitionEvent['to']['health'];
  to_ready: boolean;
  reason: string;
  at: number;
}

export const toHour = (row: HourRow): HourAggregate => ({
  serviceId: row.service_id,
  hourStart: row.hour_start,
  probes: row.probes,
  successes: row.successes,
  totalResponseMs: row.total_response_ms,
  histogram: row.histogram,
});

export const toService = (row: ServiceRow): StoredService => ({
  request: row.request,
  generation: row.generation,
  registeredAt: row.registered_at,
  // Rows written by an older version lack newer fields; those start from their initial values.
  state: { ...INITIAL_STATE, ...row.state },
});

const toTransition = (row: TransitionRow): StoredTransition => ({
  id: row.id,
  serviceId: row.service_id,
  from: { health: row.from_health, ready: row.from_ready },
  to: { health: row.to_health, ready: row.to_ready },
  reason: row.reason,
  at: row.at,
});

/** What a failed write tells the store and, through a 503, the client. */
function postgresStorageError(error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const code = storageErrorCode(error);
  return commitRefused(error, code !== null && LOCK_CODES.has(code));
}

/** A connection pool to `url` with the monitor's schema first on the search path. */
export function connect(url: string): Sql {
  return postgres(url, {
    max: POOL_SIZE,
    connection: { search_path: SCHEMA, application_name: 'health-monitor' },
    types: {
      int8: { to: INT8_OID, from: [INT8_OID], serialize: (value: number) => String(value), parse: Number },
    },
    onnotice: () => undefined,
    // A server that does not answer (partition, dead host): fail the query, do not wait 30 s.
    connect_timeout: 5,
    // The client's default waits up to 20 s between reconnects after many failures, so a database back
    // from an outage would sit unused that long; a monitor retries at least every second (in seconds).
    backoff: (retries: number) => Math.min(0.1 * (retries + 1), 1),
  });
}

export class PostgresPersistence implements Persistence {
  private fence: WriteFence | null = null;

  private constructor(readonly sql: Sql) {}

  /** Connects, brings the schema up to date, and is ready; rejects when the database cannot be reached. */
  static async open(url: string): Promise<PostgresPersistence> {
    const sql = connect(url);
    try {
      await migratePostgres(sql);
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
    return new PostgresPersistence(sql);
  }

  async load(
    hourStart: number,
  ): Promise<{ services: StoredService[]; openHours: HourAggregate[]; lastEventId: number }> {
    const services = await this.sql<ServiceRow[]>`
      SELECT id, request, generation, registered_at, state FROM services ORDER BY id`;
    const hours = await this.sql<HourRow[]>`SELECT * FROM probe_hours WHERE hour_start = ${hourStart}`;
    const [ids] = await this.sql<{ last_id: number }[]>`SELECT last_id FROM event_ids`;
    return { services: services.map(toService), openHours: hours.map(toHour), lastEventId: ids?.last_id ?? 0 };
  }

  async writeRegistry(writes: readonly RegistryWrite[], events: readonly StoredEvent[]): Promise<void> {
    await this.write(async (tx) => {
      for (const write of writes) {
        const id = write.kind === 'delete' ? write.serviceId : write.service.request.id;
        if (write.kind === 'delete' || write.resetHistory) {
          await tx`DELETE FROM transitions WHERE service_id = ${id}`;
          await tx`DELETE FROM probe_hours WHERE service_id = ${id}`;
          await tx`DELETE FROM notices WHERE service_id = ${id}`;
        }
        if (write.kind === 'delete') {
          await tx`DELETE FROM services WHERE id = ${id}`;
          await tx`DELETE FROM maintenance WHERE scope = ${id}`;
          continue;
        }
        const { request, generation, registeredAt, state } = write.service;
        await tx`
          INSERT INTO services (id, request, generation, registered_at, state)
          VALUES (${id}, ${JSON.stringify(request)}::text::jsonb, ${generation}, ${registeredAt}, ${JSON.stringify(state)}::text::jsonb)
          ON CONFLICT (id) DO UPDATE SET request = excluded.request, generation = excluded.generation,
            registered_at = excluded.registered_at, state = excluded.state, revision = nextval('service_revisions')`;
      }
      await insertEvents(tx, events);
    });
  }

  /**
   * In cluster mode, probe results are fenced: only the writer's shards whose lease still carries the
   * writer's epoch are written, checked under a share lock on those lease rows so no claim commits between.
   */
  setFence(fence: WriteFence): void {
    this.fence = fence;
  }

  async saveProbeBatch(batch: ProbeBatch): Promise<void> {
    await this.write(async (tx) => {
      // Acknowledged to no one: the next registry commit, durable, flushes the log up to it.
      await tx`SET LOCAL synchronous_commit TO off`;
      const { services, transitions, hours } = await this.fenced(tx, batch);
      if (services.length > 0) {
        await tx`
          UPDATE services AS s SET state = u.state::jsonb, revision = nextval('service_revisions')
          FROM unnest(${tx.array(services.map((s) => s.request.id))}::text[],
                      ${tx.array(services.map((s) => s.generation))}::bigint[],
                      ${tx.array(services.map((s) => JSON.stringify(s.state)))}::text[]) AS u(id, generation, state)
          WHERE s.id = u.id AND s.generation = u.generation`;
      }
      if (transitions.length > 0) {
        // Each transition gets its notice in the outbox in the same commit: a later owner delivers what is left.
        await tx`
          WITH written AS (
            INSERT INTO transitions (service_id, from_health, from_ready, to_health, to_ready, reason, at)
            SELECT * FROM unnest(${tx.array(transitions.map((t) => t.serviceId))}::text[],
              ${tx.array(transitions.map((t) => t.from.health))}::text[], ${tx.array(transitions.map((t) => t.from.ready))}::boolean[],
              ${tx.array(transitions.map((t) => t.to.health))}::text[], ${tx.array(transitions.map((t) => t.to.ready))}::boolean[],
              ${tx.array(transitions.map((t) => t.reason))}::text[], ${tx.array(transitions.map((t) => t.at))}::bigint[])
            RETURNING *)
          INSERT INTO notices (service_id, transition_id, shard, from_health, from_ready, to_health, to_ready, reason, at)
          SELECT w.service_id, w.id, s.shard, w.from_health, w.from_ready, w.to_health, w.to_ready, w.reason, w.at
          FROM written w JOIN services s ON s.id = w.service_id
          ON CONFLICT DO NOTHING`;
      }
      if (hours.length > 0) {
        await tx`
          INSERT INTO probe_hours (service_id, hour_start, probes, successes, total_response_ms, histogram)
          SELECT service_id, hour_start, probes, successes, total_response_ms, histogram::jsonb
          FROM unnest(${tx.array(hours.map((h) => h.serviceId))}::text[], ${tx.array(hours.map((h) => h.hourStart))}::bigint[],
            ${tx.array(hours.map((h) => h.probes))}::integer[], ${tx.array(hours.map((h) => h.successes))}::integer[],
            ${tx.array(hours.map((h) => h.totalResponseMs))}::double precision[],
            ${tx.array(hours.map((h) => JSON.stringify(h.histogram)))}::text[])
            AS u(service_id, hour_start, probes, successes, total_response_ms, histogram)
          ON CONFLICT (service_id, hour_start) DO UPDATE SET probes = excluded.probes, successes = excluded.successes,
            total_response_ms = excluded.total_response_ms, histogram = excluded.histogram`;
      }
      await insertEvents(tx, batch.events);
    });
  }

  /** The part of the batch this replica may still write: all of it outside cluster mode. */
  private async fenced(tx: TransactionSql, batch: ProbeBatch): Promise<ProbeBatch> {
    const fence = this.fence;
    if (fence === null) return batch;
    const epochs = new Map<number, number>();
    const shardOfId = new Map<string, number>();
    for (const id of [...batch.services.map((s) => s.request.id), ...batch.transitions.map((t) => t.serviceId)]) {
      if (shardOfId.has(id)) continue;
      const shard = shardOf(id);
      shardOfId.set(id, shard);
      const epoch = fence.epochOf(shard);
      if (epoch !== null) epochs.set(shard, epoch);
    }
    const current =
      epochs.size === 0
        ? []
        : await tx<{ shard: number }[]>`
          SELECT l.shard FROM shard_leases l
          JOIN unnest(${tx.array([...epochs.keys()])}::integer[], ${tx.array([...epochs.values()])}::bigint[]) AS f(shard, epoch)
            ON l.shard = f.shard AND l.epoch = f.epoch
          WHERE l.owner = ${fence.replicaId}
          FOR SHARE OF l`;
    const writable = new Set(current.map((row) => row.shard));
    const mayWrite = (id: string): boolean => writable.has(shardOfId.get(id) ?? shardOf(id));
    const services = batch.services.filter((s) => mayWrite(s.request.id));
    if (services.length < batch.services.length) fence.onRefused(batch.services.length - services.length);
    return {
      services,
      transitions: batch.transitions.filter((t) => mayWrite(t.serviceId)),
      events: batch.events.filter((e) => mayWrite(e.serviceId)),
      hours: batch.hours.filter((h) => mayWrite(h.serviceId)),
    };
  }

  async checkWritable(): Promise<void> {
    try {
      const [row] = await this.sql<{ transaction_read_only: string }[]>`SHOW transaction_read_only`;
      if (row?.transaction_read_only === 'on') throw new StorageError('the database takes no writes (read-only)');
    } catch (error) {
      throw postgresStorageError(error);
    }
  }

  async transitions(serviceId: string, page: { limit: number; beforeId: number | null }): Promise<StoredTransition[]> {
    const before = page.beforeId ?? Number.MAX_SAFE_INTEGER;
    const rows = await this.sql<TransitionRow[]>`
      SELECT * FROM transitions WHERE service_id = ${serviceId} AND id < ${before} ORDER BY id DESC LIMIT ${page.limit}`;
    return rows.map(toTransition);
  }

  async hourlyAggregates(serviceId: string, sinceHourStart: number): Promise<HourAggregate[]> {
    const rows = await this.sql<HourRow[]>`
      SELECT * FROM probe_hours WHERE service_id = ${serviceId} AND hour_start >= ${sinceHourStart} ORDER BY hour_start`;
    return rows.map(toHour);
  }

  async maintenanceWindows(): Promise<MaintenanceWindow[]> {
    const rows = await this.sql<{ scope: string; starts_at: number; until: number; reason: string }[]>`
      SELECT scope, starts_at, until, reason FROM maintenance`;
    return rows.map((row) => ({ scope: row.scope, startsAt: row.starts_at, until: row.until, reason: row.reason }));
  }

  async writeMaintenance(scope: string, window: MaintenanceWindow | null): Promise<void> {
    await this.write(async (tx) => {
      if (window === null) await tx`DELETE FROM maintenance WHERE scope = ${scope}`;
      else
        await tx`
          INSERT INTO maintenance (scope, starts_at, until, reason) VALUES (${scope}, ${window.startsAt}, ${window.until}, ${window.reason})
          ON CONFLICT (scope) DO UPDATE SET starts_at = excluded.starts_at, until = excluded.until, reason = excluded.reason`;
    });
  }

  async dailyRollups(serviceIds: readonly string[], range: RollupRange): Promise<DailyRollupRows> {
    const params = rollupParams([...serviceIds], range);
    const [days, transitions] = await Promise.all([
      this.sql.unsafe<DayRowColumns[]>(daysSql(POSTGRES_ROLLUP), params),
      this.sql.unsafe<TransitionCountColumns[]>(transitionsSql(POSTGRES_ROLLUP), params.slice(0, 2)),
    ]);
    return toRollupRows(days, transitions);
  }

  async eventsAfter(afterId: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.sql<{ id: number; kind: EventKind; service_id: string; data: string; at: number }[]>`
      SELECT id, kind, service_id, data, at FROM events WHERE id > ${afterId} ORDER BY id LIMIT ${limit}`;
    return rows.map((row) => ({ id: row.id, kind: row.kind, serviceId: row.service_id, data: row.data, at: row.at }));
  }

  async oldestEventId(): Promise<number | null> {
    const [row] = await this.sql<{ id: number | null }[]>`SELECT min(id) AS id FROM events`;
    return row?.id ?? null;
  }

  async prune(cutoffs: { transitionsBefore: number; hoursBefore: number }, maxRows: number): Promise<number> {
    return this.write(async (tx) => {
      // A transition's notice goes with it, delivered or not; it is bookkeeping, not counted as a row pruned.
      const [transitions = { count: 0 }] = await tx<{ count: number }[]>`
        WITH gone AS (
          DELETE FROM transitions WHERE id IN
            (SELECT id FROM transitions WHERE at < ${cutoffs.transitionsBefore} LIMIT ${maxRows})
          RETURNING id, service_id
        ), notices_gone AS (
          DELETE FROM notices WHERE (service_id, transition_id) IN (SELECT service_id, id FROM gone)
        )
        SELECT count(*)::integer AS count FROM gone`;
      const events = await tx`
        DELETE FROM events WHERE id IN
          (SELECT id FROM events WHERE at < ${cutoffs.transitionsBefore} LIMIT ${Math.max(0, maxRows - transitions.count)})`;
      const hours = await tx`
        DELETE FROM probe_hours WHERE (service_id, hour_start) IN
          (SELECT service_id, hour_start FROM probe_hours WHERE hour_start < ${cutoffs.hoursBefore}
           LIMIT ${Math.max(0, maxRows - transitions.count - events.count)})`;
      return transitions.count + events.count + hours.count;
    });
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }

  /** One transaction; any failure is a StorageError and nothing of it was applied. */
  private async write<T>(work: (tx: TransactionSql) => Promise<T>): Promise<T> {
    try {
      return (await this.sql.begin(work)) as T;
    } catch (error) {
      throw postgresStorageError(error);
    }
  }
}

/**
 * The database numbers the entries: the counter row is locked until commit, so entries commit in id order
 * across replicas and a reader that follows the log by id never skips one committed late.
 */
async function insertEvents(tx: TransactionSql, events: readonly StoredEvent[]): Promise<void> {
  if (events.length === 0) return;
  const [row] = await tx<
    { last_id: number }[]
  >`UPDATE event_ids SET last_id = last_id + ${events.length} RETURNING last_id`;
  const first = (row?.last_id ?? events.length) - events.length + 1;
  await tx`
    INSERT INTO events (id, kind, service_id, data, at)
    SELECT * FROM unnest(${tx.array(events.map((_, index) => first + index))}::bigint[], ${tx.array(events.map((e) => e.kind))}::text[],
      ${tx.array(events.map((e) => e.serviceId))}::text[], ${tx.array(events.map((e) => e.data))}::text[],
      ${tx.array(events.map((e) => e.at))}::bigint[])`;
  // Delivered at commit: the other replicas read the log (and the registry) at once rather than at their next poll.
  await tx`SELECT pg_notify(${CHANGES_CHANNEL}, ${String(first + events.length - 1)})`;
}
