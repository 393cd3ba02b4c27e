// The typed events the store emits; notifiers subscribe, the store never waits for them.
import { EventEmitter } from 'eventemitter3';
import type { HealthVerdict, ProbeOutcome } from '../domain/index.js';
import type { StoredEvent } from './persistence.js';
import type { ServiceRecord } from './service-record.js';

export interface RegisteredEvent {
  readonly service: ServiceRecord;
  /** `false` for a re-registration of a known id. */
  readonly created: boolean;
  /** Cluster mode: committed by another replica and read from the database here. */
  readonly remote?: boolean;
}

export type DeregistrationCause = 'deleted' | 'expired';

export interface DeregisteredEvent {
  readonly serviceId: string;
  readonly cause: DeregistrationCause;
  readonly reason: string;
  readonly at: number;
  /** Cluster mode: committed by another replica and read from the database here. */
  readonly remote?: boolean;
}

export interface TransitionEvent {
  readonly serviceId: string;
  readonly from: HealthVerdict;
  readonly to: HealthVerdict;
  readonly reason: string;
  readonly at: number;
  /** Cluster mode: the outbox's stable id for this transition's notice, the same on every replica. */
  readonly noticeId?: string;
  /** The service's `depends_on` that were down when it happened: its notice is held back. */
  readonly impactedBy?: readonly string[];
}

export interface LagSummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export type OutcomeCounts = Readonly<Record<ProbeOutcome['kind'], number>>;

/** Every outcome at 0. */
export function noOutcomes(): Record<ProbeOutcome['kind'], number> {
  return { answered: 0, http_status: 0, grpc_status: 0, invalid_body: 0, unreachable: 0, monitor_error: 0 };
}

/** One outcome's count over every protocol of a cycle. */
export function outcomeTotal(outcomes: CycleEvent['outcomes'], kind: ProbeOutcome['kind']): number {
  return Object.values(outcomes).reduce((sum, counts) => sum + counts[kind], 0);
}

export interface CycleEvent {
  readonly startedAt: number;
  readonly durationMs: number;
  /** Services probed in the cycle. */
  readonly size: number;
  /** Results applied; fewer than `size` when some were dropped as stale or lost to a shutdown. */
  readonly applied: number;
  /** Results that came back, by protocol name (`http`, `grpc`, `tcp`), then by outcome. */
  readonly outcomes: Readonly<Record<string, OutcomeCounts>>;
  /** The main thread's event-loop utilisation (0–1) while the cycle ran: how much the probes cost the API. */
  readonly eventLoopUtilization: number;
  /** How late probes started after they were due, over the results that came back; `null` when none did. */
  readonly scheduleLagMs: LagSummary | null;
}

/** Whether the database takes writes; a write refused by it is the only thing that makes it `failing`. */
export interface StorageHealth {
  readonly status: 'ok' | 'failing';
  /** When the first write of the current failure was refused (epoch ms); `null` while `ok`. */
  readonly failingSince: number | null;
  /** Why the latest refused write was refused; `null` while `ok`. */
  readonly lastError: string | null;
  /** Services whose latest probed state is applied in memory but not yet written. */
  readonly unsavedServices: number;
  /** Transitions waiting to be written to the history and the event log. */
  readonly unsavedTransitions: number;
  /** Transitions dropped from the wait because it was full: they will never reach the history. */
  readonly droppedTransitions: number;
}

export interface MonitorEventMap {
  registered: [RegisteredEvent];
  deregistered: [DeregisteredEvent];
  transition: [TransitionEvent];
  cycle: [CycleEvent];
  /** Each event-log entry, once committed, in id order: what the live stream sends. */
  recorded: [StoredEvent];
  /** The database stopped or started taking writes again. */
  storage: [StorageHealth];
  /** Cluster mode: services of shards just taken over wait to be probed (no event is logged for it). */
  adopted: [{ services: number }];
  /** A maintenance window ended, by itself or early: notices held back during it may be due. */
  maintenanceEnded: [{ scope: string }];
}

export class MonitorEvents extends EventEmitter<MonitorEventMap> {}
