// The one seam between the store actor and durable storage; the actor is its only caller.
import type {
  DayRow,
  DayTransitionCount,
  HourAggregate,
  MaintenanceWindow,
  RegistrationRequest,
  RollupRange,
  ServiceState,
} from '../domain/index.js';
import type { TransitionEvent } from './events.js';

/** What storage keeps of a service: settings and schedule are derived again at load. */
export interface StoredService {
  readonly request: RegistrationRequest;
  readonly generation: number;
  readonly registeredAt: number;
  readonly state: ServiceState;
}

export interface StoredTransition extends TransitionEvent {
  /** Increasing; the cursor for paging (`before`). */
  readonly id: number;
}

export type EventKind = 'registered' | 'deregistered' | 'transition';

/** One entry of the event log, as stream clients receive it. */
export interface StoredEvent {
  /** Increasing, never reused: the stream's event id. */
  readonly id: number;
  readonly kind: EventKind;
  readonly serviceId: string;
  readonly at: number;
  /** The event's public JSON, serialised once. */
  readonly data: string;
}

/** What a probe batch writes of a service: its latest state, for the registration (generation) it belongs to. */
export interface ProbedService {
  readonly request: { readonly id: string };
  readonly generation: number;
  readonly state: ServiceState;
}

export interface ProbeBatch {
  readonly services: readonly ProbedService[];
  readonly transitions: readonly TransitionEvent[];
  /** The log entries of `transitions`. */
  readonly events: readonly StoredEvent[];
  /** The current hour's aggregate of each service the batch touched, replacing the stored one. */
  readonly hours: readonly HourAggregate[];
}

/** A write storage could not commit; nothing of it was applied. */
export class StorageError extends Error {
  /** Another connection holds the database's write lock: the same write may succeed moments later. */
  readonly locked: boolean;
  /** The storage engine's own code (`SQLITE_BUSY`, `SQLITE_FULL`, …) when it gave one. */
  readonly code: string | null;

  constructor(message: string, options: { cause?: unknown; locked?: boolean; code?: string | null } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StorageError';
    this.locked = options.locked ?? false;
    this.code = options.code ?? null;
  }
}

/** The storage engine's own error code (`SQLITE_BUSY`, a PostgreSQL SQLSTATE, `ECONNREFUSED`), when there is one. */
export function storageErrorCode(error: unknown): string | null {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : null;
}

/** A refused commit, as the store and (through a 503) the client see it: the engine's reason and code. */
export function commitRefused(error: unknown, locked = false): StorageError {
  const code = storageErrorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  const detail = code === null || reason.includes(code) ? reason : `${code}: ${reason}`;
  return new StorageError(`the database could not commit the change (${detail}); nothing was changed`, {
    cause: error,
    code,
    locked,
  });
}

export interface DailyRollupRows {
  readonly days: readonly DayRow[];
  readonly transitions: readonly DayTransitionCount[];
}

export type RegistryWrite =
  /** A new or replaced registration; `resetHistory` drops its transitions and aggregates. */
  | { readonly kind: 'save'; readonly service: StoredService; readonly resetHistory: boolean }
  /** Removes the service with its history. */
  | { readonly kind: 'delete'; readonly serviceId: string };

export interface Persistence {
  /** Every stored service with its last known state, and each one's aggregate for the hour starting at `hourStart`. */
  load(
    hourStart: number,
  ): Promise<{ services: readonly StoredService[]; openHours: readonly HourAggregate[]; lastEventId: number }>;
  /** Registrations and removals with their log entries, applied in order in one transaction; resolves only once they are durable. */
  writeRegistry(writes: readonly RegistryWrite[], events: readonly StoredEvent[]): Promise<void>;
  /** One batch of probe results, written in one transaction. */
  saveProbeBatch(batch: ProbeBatch): Promise<void>;
  /** Resolves when a write could be committed now (takes the write lock and lets it go); rejects with a StorageError otherwise. */
  checkWritable(): Promise<void>;
  /** Transitions of a service, newest first, older than `beforeId` when given. */
  transitions(serviceId: string, page: { limit: number; beforeId: number | null }): Promise<StoredTransition[]>;
  /** Hourly aggregates of a service from `sinceHourStart` on, oldest first. */
  hourlyAggregates(serviceId: string, sinceHourStart: number): Promise<HourAggregate[]>;
  /** Every maintenance window stored, ended ones included. */
  maintenanceWindows(): Promise<MaintenanceWindow[]>;
  /** Stores the window of `scope` (replacing one), or removes it when `window` is null; durable when it resolves. */
  writeMaintenance(scope: string, window: MaintenanceWindow | null): Promise<void>;
  /** Per service and UTC day from `range.sinceDayStart` on: probes, successes (with each window's share) and transitions. */
  dailyRollups(serviceIds: readonly string[], range: RollupRange): Promise<DailyRollupRows>;
  /** Log entries after `afterId`, oldest first. */
  eventsAfter(afterId: number, limit: number): Promise<StoredEvent[]>;
  /** The oldest entry still kept (`null` when none), for telling a client that pruning left a gap. */
  oldestEventId(): Promise<number | null>;
  /** Deletes at most `maxRows` expired rows (transitions and log entries older than `transitionsBefore`); resolves how many went. */
  prune(cutoffs: { transitionsBefore: number; hoursBefore: number }, maxRows: number): Promise<number>;
  close(): Promise<void>;
}
