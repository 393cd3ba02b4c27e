// Persistence on SQLite: one connection and its statements, every write a transaction. It runs on the
// storage thread (thread-server.ts); tests also use it directly on the calling thread.
import type { Database, Statement } from 'better-sqlite3';
import {
  INITIAL_STATE,
  type HourAggregate,
  type MaintenanceWindow,
  type RegistrationRequest,
  type RollupRange,
  type ServiceState,
} from '../../domain/index.js';
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
import {
  daysSql,
  rollupParams,
  toRollupRows,
  transitionsSql,
  type DayRowColumns,
  type RollupDialect,
  type TransitionCountColumns,
} from '../daily-rollup-sql.js';
import { openDatabase } from './open-database.js';
import { WalSync, type OpenLog } from './wal-sync.js';

interface MaintenanceRow {
  scope: string;
  starts_at: number;
  until: number;
  reason: string;
}

function toWindow(row: MaintenanceRow): MaintenanceWindow {
  return { scope: row.scope, startsAt: Number(row.starts_at), until: Number(row.until), reason: row.reason };
}

const SQLITE_ROLLUP: RollupDialect = {
  param: (n) => `@p${n}`,
  idIn: 'service_id IN (SELECT value FROM json_each(@p1))',
};

interface ServiceRow {
  id: string;
  request: string;
  generation: number;
  registered_at: number;
  state: string;
}

interface TransitionRow {
  id: number;
  service_id: string;
  from_health: string;
  from_ready: number;
  to_health: string;
  to_ready: number;
  reason: string;
  at: number;
}

interface HourRow {
  service_id: string;
  hour_start: number;
  probes: number;
  successes: number;
  total_response_ms: number;
  histogram: string;
}

function toHour(row: HourRow): HourAggregate {
  return {
    serviceId: row.service_id,
    hourStart: row.hour_start,
    probes: row.probes,
    successes: row.successes,
    totalResponseMs: row.total_response_ms,
    histogram: JSON.parse(row.histogram) as Record<string, number>,
  };
}

function toTransition(row: TransitionRow): StoredTransition {
  return {
    id: row.id,
    serviceId: row.service_id,
    from: { health: row.from_health as TransitionEvent['from']['health'], ready: row.from_ready === 1 },
    to: { health: row.to_health as TransitionEvent['to']['health'], ready: row.to_ready === 1 },
    reason: row.reason,
    at: row.at,
  };
}

function toService(row: ServiceRow): StoredService {
  try {
    return {
      request: JSON.parse(row.request) as RegistrationRequest,
      generation: row.generation,
      registeredAt: row.registered_at,
      // Rows written by an older version lack newer fields; those start from their initial values.
      state: { ...INITIAL_STATE, ...(JSON.parse(row.state) as Partial<ServiceState>) },
    };
  } catch (error) {
    throw new Error(
      `the stored service "${row.id}" cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Another connection holds a lock: SQLITE_BUSY and SQLITE_LOCKED with their extended codes. */
const LOCK_CODE = /^SQLITE_(BUSY|LOCKED)/;

/** What a failed write tells the store and, through a 503, the client. */
function storageError(error: unknown): StorageError {
  const code = storageErrorCode(error);
  if (code !== null && LOCK_CODE.test(code)) {
    return new StorageError(
      `the database could not commit the change: another connection holds its write lock (${code}); nothing was changed`,
      {
        cause: error,
        locked: true,
        code,
      },
    );
  }
  return commitRefused(error);
}

export class SqlitePersistence implements Persistence {
  private readonly statements;

  private readonly walSync: WalSync;

  private constructor(
    private readonly db: Database,
    openLog?: OpenLog,
  ) {
    this.walSync = new WalSync(db.memory ? null : `${db.name}-wal`, openLog);
    const prepare = (sql: string): Statement => db.prepare(sql);
    this.statements = {
      allServices: prepare('SELECT id, request, generation, registered_at, state FROM services'),
      hoursAt: prepare('SELECT * FROM probe_hours WHERE hour_start = ?'),
      servicesPage: prepare(
        'SELECT id, request, generation, registered_at, state FROM services WHERE id > ? ORDER BY id LIMIT ?',
      ),
      // probe_hours_by_time holds (hour_start, service_id): a range scan, no sort.
      openHoursPage: prepare(
        'SELECT * FROM probe_hours WHERE hour_start = ? AND service_id > ? ORDER BY service_id LIMIT ?',
      ),
      upsertService: prepare(
        `INSERT INTO services (id, request, generation, registered_at, state) VALUES (@id, @request, @generation, @registeredAt, @state)
         ON CONFLICT (id) DO UPDATE SET request = excluded.request, generation = excluded.generation,
           registered_at = excluded.registered_at, state = excluded.state`,
      ),
      updateState: prepare('UPDATE services SET state = @state WHERE id = @id AND generation = @generation'),
      deleteService: prepare('DELETE FROM services WHERE id = ?'),
      deleteTransitions: prepare('DELETE FROM transitions WHERE service_id = ?'),
      deleteHours: prepare('DELETE FROM probe_hours WHERE service_id = ?'),
      insertTransition: prepare(
        `INSERT INTO transitions (service_id, from_health, from_ready, to_health, to_ready, reason, at)
         VALUES (@serviceId, @fromHealth, @fromReady, @toHealth, @toReady, @reason, @at)`,
      ),
      upsertHour: prepare(
        `INSERT INTO probe_hours (service_id, hour_start, probes, successes, total_response_ms, histogram)
         VALUES (@serviceId, @hourStart, @probes, @successes, @totalResponseMs, @histogram)
         ON CONFLICT (service_id, hour_start) DO UPDATE SET probes = excluded.probes, successes = excluded.successes,
           total_response_ms = excluded.total_response_ms, histogram = excluded.histogram`,
      ),
      insertEvent: prepare(
        'INSERT INTO events (id, kind, service_id, data, at) VALUES (@id, @kind, @serviceId, @data, @at)',
      ),
      eventsAfter: prepare('SELECT id, kind, service_id, data, at FROM events WHERE id > ? ORDER BY id LIMIT ?'),
      eventById: prepare('SELECT 1 FROM events WHERE id = ?'),
      oldestEvent: prepare('SELECT min(id) AS id FROM events'),
      lastEventId: prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),
      pruneEvents: prepare('DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < ? LIMIT ?)'),
      transitionsPage: prepare('SELECT * FROM transitions WHERE service_id = ? AND id < ? ORDER BY id DESC LIMIT ?'),
      hoursSince: prepare('SELECT * FROM probe_hours WHERE service_id = ? AND hour_start >= ? ORDER BY hour_start'),
      maintenanceAll: prepare('SELECT scope, starts_at, until, reason FROM maintenance'),
      maintenanceSave: prepare(
        `INSERT INTO maintenance (scope, starts_at, until, reason) VALUES (?, ?, ?, ?)
         ON CONFLICT (scope) DO UPDATE SET starts_at = excluded.starts_at, until = excluded.until, reason = excluded.reason`,
      ),
      maintenanceDelete: prepare('DELETE FROM maintenance WHERE scope = ?'),
      rollupDays: prepare(daysSql(SQLITE_ROLLUP)),
      rollupTransitions: prepare(transitionsSql(SQLITE_ROLLUP)),
      pruneTransitions: prepare(
        'DELETE FROM transitions WHERE id IN (SELECT id FROM transitions WHERE at < ? LIMIT ?)',
      ),
      pruneHours: prepare(
        `DELETE FROM probe_hours WHERE (service_id, hour_start) IN
           (SELECT service_id, hour_start FROM probe_hours WHERE hour_start < ? LIMIT ?)`,
      ),
    };
  }

  /**
   * `:memory:` keeps everything in memory; any other path is created if missing. `openLog`, for tests:
   * how the write-ahead log is opened for the sync that makes a registry commit durable (WalSync).
   */
  static open(path: string, options: { readonly openLog?: OpenLog } = {}): SqlitePersistence {
    return new SqlitePersistence(openDatabase(path), options.openLog);
  }

  /** Over a connection from openDatabase: for tests that set its limits (max_page_count makes a full disk). */
  static over(db: Database): SqlitePersistence {
    return new SqlitePersistence(db);
  }

  async load(
    hourStart: number,
  ): Promise<{ services: StoredService[]; openHours: HourAggregate[]; lastEventId: number }> {
    return {
      services: (this.statements.allServices.all() as ServiceRow[]).map(toService),
      openHours: (this.statements.hoursAt.all(hourStart) as HourRow[]).map(toHour),
      lastEventId: await this.lastEventId(),
    };
  }

  /** Services after `afterId` (`''`: from the first), by id: `load` in pages, for a caller that must not hold every row twice at once. */
  async servicesPage(afterId: string, limit: number): Promise<StoredService[]> {
    return (this.statements.servicesPage.all(afterId, limit) as ServiceRow[]).map(toService);
  }

  /** The aggregates for the hour starting at `hourStart`, of services after `afterServiceId`, by service id. */
  async openHoursPage(hourStart: number, afterServiceId: string, limit: number): Promise<HourAggregate[]> {
    return (this.statements.openHoursPage.all(hourStart, afterServiceId, limit) as HourRow[]).map(toHour);
  }

  async lastEventId(): Promise<number> {
    return (this.statements.lastEventId.get() as { seq: number } | undefined)?.seq ?? 0;
  }

  async writeRegistry(writes: readonly RegistryWrite[], events: readonly StoredEvent[]): Promise<void> {
    // Throws a StorageError (locked or not) when the commit fails.
    this.withoutFsync(() => {
      for (const write of writes) {
        if (write.kind === 'delete') this.deleteService(write.serviceId);
        else this.saveService(write.service, write.resetHistory);
      }
      this.insertEvents(events);
    });
    // Committed but not yet durable: acknowledged only once the log is on disk.
    await this.syncLog();
  }

  /**
   * Whether the log entry `eventId` is stored. It tells a write whose answer was lost (the storage
   * thread stopped after its commit, before replying) from one never committed; the log is synced
   * before answering `true`, so `true` also means durable.
   */
  async hasDurableEvent(eventId: number): Promise<boolean> {
    if (this.statements.eventById.get(eventId) === undefined) return false;
    await this.syncLog();
    return true;
  }

  private async syncLog(): Promise<void> {
    try {
      await this.walSync.sync();
    } catch (error) {
      throw new StorageError(
        `the database committed the change but could not make it durable (${error instanceof Error ? error.message : String(error)}); it may or may not be there after a restart`,
        { cause: error },
      );
    }
  }

  async checkWritable(): Promise<void> {
    try {
      this.db.exec('BEGIN IMMEDIATE; ROLLBACK;');
    } catch (error) {
      throw storageError(error);
    }
  }

  async saveProbeBatch(batch: ProbeBatch): Promise<void> {
    this.withoutFsync(() => {
      for (const service of batch.services) {
        this.statements.updateState.run({
          id: service.request.id,
          generation: service.generation,
          state: JSON.stringify(service.state),
        });
      }
      for (const transition of batch.transitions) {
        this.statements.insertTransition.run({
          serviceId: transition.serviceId,
          fromHealth: transition.from.health,
          fromReady: transition.from.ready ? 1 : 0,
          toHealth: transition.to.health,
          toReady: transition.to.ready ? 1 : 0,
          reason: transition.reason,
          at: transition.at,
        });
      }
      for (const hour of batch.hours) {
        this.statements.upsertHour.run({ ...hour, histogram: JSON.stringify(hour.histogram) });
      }
      this.insertEvents(batch.events);
    });
  }

  async eventsAfter(afterId: number, limit: number): Promise<StoredEvent[]> {
    const rows = this.statements.eventsAfter.all(afterId, limit) as {
      id: number;
      kind: EventKind;
      service_id: string;
      data: string;
      at: number;
    }[];
    return rows.map((row) => ({ id: row.id, kind: row.kind, serviceId: row.service_id, data: row.data, at: row.at }));
  }

  async oldestEventId(): Promise<number | null> {
    return (this.statements.oldestEvent.get() as { id: number | null }).id;
  }

  async transitions(serviceId: string, page: { limit: number; beforeId: number | null }): Promise<StoredTransition[]> {
    const rows = this.statements.transitionsPage.all(
      serviceId,
      page.beforeId ?? Number.MAX_SAFE_INTEGER,
      page.limit,
    ) as TransitionRow[];
    return rows.map(toTransition);
  }

  async hourlyAggregates(serviceId: string, sinceHourStart: number): Promise<HourAggregate[]> {
    return (this.statements.hoursSince.all(serviceId, sinceHourStart) as HourRow[]).map(toHour);
  }

  async maintenanceWindows(): Promise<MaintenanceWindow[]> {
    return (this.statements.maintenanceAll.all() as MaintenanceRow[]).map(toWindow);
  }

  async writeMaintenance(scope: string, window: MaintenanceWindow | null): Promise<void> {
    this.withoutFsync(() => {
      if (window === null) this.statements.maintenanceDelete.run(scope);
      else this.statements.maintenanceSave.run(scope, window.startsAt, window.until, window.reason);
    });
    // Acknowledged, like a registration, only once the log is on disk.
    await this.syncLog();
  }

  async dailyRollups(serviceIds: readonly string[], range: RollupRange): Promise<DailyRollupRows> {
    // better-sqlite3 binds numbered parameters by name only.
    const named = (values: readonly unknown[]) => Object.fromEntries(values.map((value, i) => [`p${i + 1}`, value]));
    const params = rollupParams(JSON.stringify(serviceIds), range);
    return toRollupRows(
      this.statements.rollupDays.all(named(params)) as DayRowColumns[],
      this.statements.rollupTransitions.all(named(params.slice(0, 2))) as TransitionCountColumns[],
    );
  }

  async prune(cutoffs: { transitionsBefore: number; hoursBefore: number }, maxRows: number): Promise<number> {
    return this.withoutFsync(() => {
      const transitions = this.statements.pruneTransitions.run(cutoffs.transitionsBefore, maxRows).changes;
      const events = this.statements.pruneEvents.run(
        cutoffs.transitionsBefore,
        Math.max(0, maxRows - transitions),
      ).changes;
      const hours = this.statements.pruneHours.run(
        cutoffs.hoursBefore,
        Math.max(0, maxRows - transitions - events),
      ).changes;
      return transitions + events + hours;
    });
  }

  /**
   * Runs a transaction whose commit is not fsynced by SQLite (checkpoints still are). Probe results and
   * pruning are acknowledged to no one, and the next registry commit's fsync of the write-ahead log
   * makes them durable too (the log is appended in order). A process crash loses none of them; power
   * loss only those since that fsync. Registry commits sync the log themselves (`WalSync`).
   */
  private withoutFsync<T>(work: () => T): T {
    try {
      this.db.pragma('synchronous = NORMAL');
      try {
        return this.db.transaction(work).immediate();
      } finally {
        this.db.pragma('synchronous = FULL');
      }
    } catch (error) {
      throw storageError(error);
    }
  }

  private saveService(service: StoredService, resetHistory: boolean): void {
    const id = service.request.id;
    if (resetHistory) {
      this.statements.deleteTransitions.run(id);
      this.statements.deleteHours.run(id);
    }
    this.statements.upsertService.run({
      id,
      request: JSON.stringify(service.request),
      generation: service.generation,
      registeredAt: service.registeredAt,
      state: JSON.stringify(service.state),
    });
  }

  private insertEvents(events: readonly StoredEvent[]): void {
    for (const event of events) this.statements.insertEvent.run(event);
  }

  private deleteService(serviceId: string): void {
    this.statements.deleteService.run(serviceId);
    this.statements.deleteTransitions.run(serviceId);
    this.statements.deleteHours.run(serviceId);
    this.statements.maintenanceDelete.run(serviceId);
  }

  async close(): Promise<void> {
    await this.walSync.close();
    if (this.db.open) this.db.close();
  }
}
