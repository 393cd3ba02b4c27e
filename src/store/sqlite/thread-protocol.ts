// The messages between SqliteThreadPersistence (the store's side) and thread-server.ts (the SQLite
// thread): plain objects for the structured clone, one request and one reply per call.
import type { HourAggregate, ServiceState } from '../../domain/index.js';
import { StorageError, type Persistence, type ProbeBatch, type StoredService } from '../persistence.js';
import { DatabaseOpenError } from './open-database.js';

/** The calls the storage thread answers: the Persistence calls, and the settling of an answer a stopped thread lost. */
export interface ThreadCalls {
  /** `load` in pages (SqliteThreadPersistence.load): the thread never holds a whole registry of objects. */
  servicesPage(afterId: string, limit: number): Promise<StoredService[]>;
  openHoursPage(hourStart: number, afterServiceId: string, limit: number): Promise<HourAggregate[]>;
  lastEventId(): Promise<number>;
  writeRegistry: Persistence['writeRegistry'];
  saveProbeBatch(batch: ProbeBatchColumns): Promise<void>;
  checkWritable: Persistence['checkWritable'];
  transitions: Persistence['transitions'];
  hourlyAggregates: Persistence['hourlyAggregates'];
  dailyRollups: Persistence['dailyRollups'];
  maintenanceWindows: Persistence['maintenanceWindows'];
  writeMaintenance: Persistence['writeMaintenance'];
  eventsAfter: Persistence['eventsAfter'];
  oldestEventId: Persistence['oldestEventId'];
  prune: Persistence['prune'];
  /** Whether a log entry is stored, made durable first (SqlitePersistence.hasDurableEvent). */
  hasDurableEvent(eventId: number): Promise<boolean>;
  /** Finishes the calls under way, closes the database and ends the thread. */
  close(): Promise<void>;
}

export type CallName = keyof ThreadCalls;

/**
 * A probe batch as it crosses: its services as three arrays rather than an object each. A cycle
 * sends every service's state, and the structured clone of columns costs the API thread about a
 * third less than that of one small object per service (measured in docs/storage-thread.md).
 */
export interface ProbeBatchColumns extends Omit<ProbeBatch, 'services'> {
  readonly ids: readonly string[];
  readonly generations: readonly number[];
  readonly states: readonly ServiceState[];
}

export function toColumns(batch: ProbeBatch): ProbeBatchColumns {
  const { services, transitions, events, hours } = batch;
  return {
    ids: services.map((service) => service.request.id),
    generations: services.map((service) => service.generation),
    states: services.map((service) => service.state),
    transitions,
    events,
    hours,
  };
}

export function fromColumns(columns: ProbeBatchColumns): ProbeBatch {
  const { ids, generations, states, transitions, events, hours } = columns;
  const services = ids.map((id, index) => {
    const generation = generations[index];
    const state = states[index];
    if (generation === undefined || state === undefined)
      throw new Error(`a probe batch's columns differ in length (${ids.length} ids)`);
    return { request: { id }, generation, state };
  });
  return { services, transitions, events, hours };
}

export const CALL_NAMES: ReadonlySet<string> = new Set<CallName>([
  'servicesPage',
  'openHoursPage',
  'lastEventId',
  'writeRegistry',
  'saveProbeBatch',
  'checkWritable',
  'transitions',
  'hourlyAggregates',
  'dailyRollups',
  'maintenanceWindows',
  'writeMaintenance',
  'eventsAfter',
  'oldestEventId',
  'prune',
  'hasDurableEvent',
  'close',
]);

/** Writes: what the test hooks stop the thread before or after. */
export const WRITE_CALLS: ReadonlySet<string> = new Set<CallName>(['writeRegistry', 'saveProbeBatch']);

/**
 * For tests only (SqliteThreadPersistenceOptions.testHooks): the thread exits (`process.exit`) at once,
 * on receiving its next write, or right after its next write's commit, before that write is made
 * durable and answered. A real death at a chosen point, without guessing at timing.
 */
export type TestHook = 'exit-now' | 'exit-before-next-write' | 'exit-after-next-commit';

/** What a thread stopped by a test hook exits with. */
export const TEST_HOOK_EXIT_CODE = 70;

export interface ThreadData {
  readonly path: string;
  readonly testHooks: boolean;
}

export type RequestMessage =
  | { readonly id: number; readonly method: CallName; readonly args: readonly unknown[] }
  | { readonly id: number; readonly method: 'testHook'; readonly args: readonly [TestHook] };

export type ReplyMessage =
  { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: WireError };

/** The thread's first message: the database is open, or why it could not be. */
export type StartMessage = { readonly ready: true } | { readonly openFailed: WireError };

/** An error as it crosses the thread boundary: what the store, main.ts and the logs read of it. */
export type WireError =
  | {
      readonly kind: 'storage';
      readonly message: string;
      readonly locked: boolean;
      readonly code: string | null;
      readonly cause: { readonly name: string; readonly message: string; readonly code: string | null } | null;
    }
  | { readonly kind: 'open'; readonly message: string }
  | { readonly kind: 'other'; readonly name: string; readonly message: string };

const codeOf = (error: unknown): string | null =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;

export function toWire(error: unknown): WireError {
  if (error instanceof StorageError) {
    const cause =
      error.cause instanceof Error
        ? { name: error.cause.name, message: error.cause.message, code: codeOf(error.cause) }
        : null;
    return { kind: 'storage', message: error.message, locked: error.locked, code: error.code, cause };
  }
  if (error instanceof DatabaseOpenError) return { kind: 'open', message: error.message };
  if (error instanceof Error) return { kind: 'other', name: error.name, message: error.message };
  return { kind: 'other', name: 'Error', message: String(error) };
}

/** The error the thread threw, as the same class with the same message, `locked` and `code`. */
export function fromWire(wire: WireError): Error {
  switch (wire.kind) {
    case 'storage': {
      const cause =
        wire.cause === null
          ? undefined
          : Object.assign(new Error(wire.cause.message), { name: wire.cause.name, code: wire.cause.code });
      return new StorageError(wire.message, { cause, locked: wire.locked, code: wire.code });
    }
    case 'open':
      return new DatabaseOpenError(wire.message);
    case 'other':
      return Object.assign(new Error(wire.message), { name: wire.name });
  }
}
