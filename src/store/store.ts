// The store actor: the only writer of service state. Messages run one at a time, in arrival order.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  accumulate,
  applyProbe,
  expiryReason,
  HOUR_MS,
  healthUrl,
  hourStartOf,
  INITIAL_STATE,
  intervalAnchor,
  isSlowTarget,
  joinEarlyMs,
  nextDueTime,
  resolveSettings,
  restoredScheduledAt,
  uptimeWindows,
  UPTIME_WINDOWS,
  type HourAggregate,
  type ProbeDefaults,
  type ProbeJob,
  type ProbeResult,
  type RegistrationRequest,
  type UptimeSummary,
  type UptimeWindow,
} from '../domain/index.js';
import {
  MonitorEvents,
  type CycleEvent,
  type DeregistrationCause,
  type MonitorEventMap,
  type StorageHealth,
  type TransitionEvent,
} from './events.js';
import { EventLog } from './event-log.js';
import { GroupCommit } from './group-commit.js';
import { retryWhileLocked } from './lock-wait.js';
import { Mailbox } from './mailbox.js';
import { StorageError, type Persistence, type RegistryWrite, type StoredEvent, type StoredTransition } from './persistence.js';
import { freezeRecord, type ServiceRecord } from './service-record.js';
import { StorageStatus } from './storage-status.js';
import { UnsavedResults } from './unsaved-results.js';

export interface StoreOptions {
  readonly persistence: Persistence;
  readonly defaults: ProbeDefaults;
  readonly now?: () => number;
  /** A listener that throws must not stop the store; this hears about it instead. */
  readonly onListenerError?: (error: unknown, event: keyof MonitorEventMap) => void;
  /**
   * How long a registration or removal waits, from its arrival, for a database another connection
   * has locked before it is refused (default DEFAULT_LOCK_WAIT_MS). The wait does not block the thread.
   */
  readonly lockWaitMs?: number;
}

export const DEFAULT_LOCK_WAIT_MS = 2000;
/** While the database refuses writes, it is tried again this often, with or without anything to write. */
export const STORAGE_RETRY_MS = 1000;

/** A change to the registry, decided before its commit and applied in memory only after it. */
type RegistryChange =
  | { readonly kind: 'save'; readonly record: ServiceRecord; readonly created: boolean; readonly resetHistory: boolean }
  | { readonly kind: 'delete'; readonly serviceId: string; readonly cause: DeregistrationCause; readonly reason: string };

/** A registration or removal waiting in a commit group. */
interface RegistryOp {
  /** `performance.now()` when it was sent: its wait for a locked database counts from here. */
  readonly arrivedAt: number;
  plan(current: (id: string) => ServiceRecord | undefined): { change: RegistryChange | null; answer: () => void };
  fail(error: unknown): void;
}

export class StoreClosedError extends Error {
  constructor() {
    super('the store is closed');
    this.name = 'StoreClosedError';
  }
}

/** Rows deleted per pruning message: small, so the API never waits long behind one. */
const PRUNE_BATCH_ROWS = 500;
const AGGREGATE_RETENTION_MS = 365 * 24 * HOUR_MS;

export class ServiceStore {
  readonly events = new MonitorEvents();
  private readonly services = new Map<string, ServiceRecord>();
  /** Each service's aggregate for the hour its latest probe finished in. */
  private readonly currentHours = new Map<string, HourAggregate>();
  private sortedIds: readonly string[] | null = null;
  private nextGeneration = 1;
  private readonly mailbox = new Mailbox();
  private readonly registryWrites = new GroupCommit<RegistryOp>(this.mailbox, (ops) => this.commitGroup(ops));
  private closed = false;
  private readonly now: () => number;
  private eventLog = new EventLog(0);
  private latestCycle: CycleEvent | null = null;
  /** The earliest due time, as the last full pass found it; `undefined` once a registry change may have moved it. */
  private knownNextDue: number | null | undefined = undefined;
  /** Probe results applied in memory that the database has not taken yet. */
  private readonly unsaved = new UnsavedResults();
  /**
   * The services whose probe is in flight, and when their cycle took them: a service here is not handed
   * out again until its result is applied. Kept beside the records rather than in a copy of each.
   */
  private readonly takenAt = new Map<string, number>();
  private readonly storageStatus: StorageStatus;

  private constructor(private readonly options: StoreOptions) {
    this.now = options.now ?? Date.now;
    this.storageStatus = new StorageStatus({
      now: this.now,
      retryMs: STORAGE_RETRY_MS,
      onChange: (status) => {
        this.emit('storage', this.storage);
        if (status === 'ok') this.unsaved.resetDropped();
      },
      retry: () => void this.send(() => this.retryStorage()).catch(() => undefined),
    });
  }

  /** Opens the store with every service the persistence layer remembers, their polling spread over their interval. */
  static async open(options: StoreOptions): Promise<ServiceStore> {
    const store = new ServiceStore(options);
    const now = store.now();
    const { services, currentHours, lastEventId } = await options.persistence.load(hourStartOf(now));
    store.eventLog = new EventLog(lastEventId);
    for (const stored of services) {
      const settings = resolveSettings(stored.request, options.defaults);
      const lastScheduledAt = restoredScheduledAt(stored.request.id, settings.intervalMs, stored.state, now);
      store.services.set(stored.request.id, freezeRecord({ ...stored, settings, lastScheduledAt }));
      store.nextGeneration = Math.max(store.nextGeneration, stored.generation + 1);
    }
    for (const hour of currentHours) store.currentHours.set(hour.serviceId, hour);
    return store;
  }

  // ---- messages (mutations) ----

  /** Acknowledged (resolved) only once the registration is durable. */
  register(request: RegistrationRequest): Promise<{ record: ServiceRecord; created: boolean }> {
    return this.sendToGroup((current) => {
      const existing = current(request.id);
      const created = existing === undefined;
      const keepsHistory = !created && existing.request.url === request.url;
      const record = freezeRecord({
        request,
        settings: resolveSettings(request, this.options.defaults),
        generation: this.nextGeneration++,
        registeredAt: this.now(),
        // A new or changed registration is due at once.
        lastScheduledAt: null,
        state: keepsHistory ? existing.state : INITIAL_STATE,
      });
      return { change: { kind: 'save', record, created, resetHistory: !created && !keepsHistory }, result: { record, created } };
    });
  }

  /** Resolves `false` for an unknown id; `true` once the removal is durable. */
  deregister(serviceId: string): Promise<boolean> {
    return this.sendToGroup((current) => {
      if (current(serviceId) === undefined) return { change: null, result: false };
      return { change: { kind: 'delete', serviceId, cause: 'deleted', reason: 'deleted through the API' }, result: true };
    });
  }

  /**
   * The snapshot of a cycle: every service due at `now` whose last probe is back, marked as in flight
   * until its result is applied (a service never has two probes in flight).
   */
  takeDue(now: number): Promise<ProbeJob[]> {
    return this.send(() => {
      const jobs: ProbeJob[] = [];
      let earliest: number | null = null;
      for (const [id, record] of this.services) {
        if (this.takenAt.has(id)) continue;
        const lastScheduledAt = record.lastScheduledAt;
        const due = nextDueTime(record.settings.intervalMs, lastScheduledAt);
        if (due > now + joinEarlyMs(record.settings.intervalMs)) {
          if (earliest === null || due < earliest) earliest = due;
          continue;
        }
        this.takenAt.set(id, now);
        jobs.push({
          serviceId: id,
          generation: record.generation,
          url: healthUrl(record.request.url, record.settings.healthPath),
          timeoutMs: record.settings.timeoutMs,
          retries: record.settings.retries,
          // Never scheduled: due since it was registered.
          dueAt: lastScheduledAt === null ? record.registeredAt : due,
          slow: isSlowTarget(record.state.lastResponseMs, record.settings.timeoutMs),
        });
      }
      this.knownNextDue = earliest;
      return jobs;
    });
  }

  /**
   * Applies what came back, in one transaction; a result for a deleted or re-registered service is
   * dropped. Services bad for longer than their deregister_after_sec are then removed. Resolves the count applied.
   */
  applyResults(results: readonly ProbeResult[]): Promise<number> {
    return this.send(async () => {
      const updated: ServiceRecord[] = [];
      const transitions: TransitionEvent[] = [];
      const hours: HourAggregate[] = [];
      for (const result of results) {
        const takenAt = this.takenAt.get(result.serviceId);
        this.takenAt.delete(result.serviceId);
        const record = this.services.get(result.serviceId);
        if (!record) continue;
        if (record.generation !== result.generation) {
          // Re-registered while the old probe was out: the new registration is free to go now.
          this.noteDue(nextDueTime(record.settings.intervalMs, record.lastScheduledAt));
          continue;
        }
        const { state, change } = applyProbe(record.state, record.settings, result);
        const anchor = intervalAnchor(takenAt ?? record.lastScheduledAt, result.startedAt, result.outcome.kind !== 'monitor_error');
        const next = freezeRecord({ ...record, state: Object.freeze(state), lastScheduledAt: anchor });
        this.services.set(result.serviceId, next);
        this.noteDue(nextDueTime(next.settings.intervalMs, anchor));
        updated.push(next);
        if (change) transitions.push({ serviceId: result.serviceId, ...change });
        if (result.outcome.kind !== 'monitor_error' && state.lastCheckedAt !== null) {
          const hour = accumulate(this.currentHours.get(result.serviceId), result.serviceId, state.lastCheckedAt, result.durationMs, state.ready);
          this.currentHours.set(result.serviceId, hour);
          hours.push(hour);
        }
      }
      // Applied in memory whether or not the database takes them: they are what the targets answered.
      // A refused batch waits in `unsaved` and goes first in the next write that succeeds.
      this.unsaved.add({ services: updated, transitions, hours });
      await this.saveUnsaved();
      for (const transition of transitions) this.emit('transition', transition);
      const now = this.now();
      const expired: RegistryChange[] = [];
      for (const record of updated) {
        const reason = expiryReason(record.state, record.settings.deregisterAfterMs, now);
        if (reason !== null) expired.push({ kind: 'delete', serviceId: record.request.id, cause: 'expired', reason });
      }
      if (expired.length > 0) {
        // One attempt: no one waits for an expiry. Refused, it is decided again at the service's next probe.
        await this.commitChanges(expired, performance.now()).catch(() => undefined);
      }
      return updated.length;
    });
  }

  recordCycle(cycle: CycleEvent): void {
    this.latestCycle = cycle;
    this.emit('cycle', cycle);
  }

  /** The last cycle that ran, or `null` before the first. */
  get lastCycle(): CycleEvent | null {
    return this.latestCycle;
  }

  /**
   * Deletes transitions older than the retention and aggregates older than a year, a small batch
   * per message, yielding between batches so requests are served in between. Resolves the rows deleted.
   */
  async prune(historyRetentionDays: number): Promise<number> {
    const now = this.now();
    const cutoffs = { transitionsBefore: now - historyRetentionDays * 24 * HOUR_MS, hoursBefore: now - AGGREGATE_RETENTION_MS };
    let total = 0;
    for (;;) {
      const deleted = await this.send(() => this.options.persistence.prune(cutoffs, PRUNE_BATCH_ROWS));
      total += deleted;
      if (deleted < PRUNE_BATCH_ROWS) return total;
      await yieldToEventLoop();
    }
  }

  /** Waits for queued messages, then closes persistence; later messages are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.storageStatus.stop();
    await this.mailbox.drain();
    if (!this.unsaved.isEmpty) {
      // A last attempt. Refused, these results are lost: no one was told they were stored, and the
      // 'storage' event tells the log how many.
      await this.flushUnsaved().catch(() => this.emit('storage', this.storage));
    }
    await this.options.persistence.close();
  }

  // ---- queries (frozen views and reads, no message needed) ----

  get(serviceId: string): ServiceRecord | undefined {
    return this.services.get(serviceId);
  }

  /** Every service, sorted by id. */
  list(): readonly ServiceRecord[] {
    this.sortedIds ??= Object.freeze([...this.services.keys()].sort());
    const records: ServiceRecord[] = [];
    for (const id of this.sortedIds) {
      const record = this.services.get(id);
      if (record) records.push(record);
    }
    return Object.freeze(records);
  }

  get size(): number {
    return this.services.size;
  }

  /** The earliest time a service with no probe in flight falls due, `null` when there is none. */
  nextDueAt(): number | null {
    if (this.knownNextDue === undefined) {
      let earliest: number | null = null;
      for (const [id, record] of this.services) {
        if (this.takenAt.has(id)) continue;
        const due = nextDueTime(record.settings.intervalMs, record.lastScheduledAt);
        if (earliest === null || due < earliest) earliest = due;
      }
      this.knownNextDue = earliest;
    }
    return this.knownNextDue;
  }

  /** A service became free to probe at `due`: the earliest known due time moves if it is sooner. */
  private noteDue(due: number): void {
    if (this.knownNextDue === undefined) return;
    if (this.knownNextDue === null || due < this.knownNextDue) this.knownNextDue = due;
  }

  /** Event-log entries after `afterId`, oldest first: what a reconnecting stream client missed. */
  eventsAfter(afterId: number, limit: number): Promise<StoredEvent[]> {
    return this.options.persistence.eventsAfter(afterId, limit);
  }

  /** The oldest event-log entry still kept, or `null`. */
  oldestEventId(): Promise<number | null> {
    return this.options.persistence.oldestEventId();
  }

  /** The latest committed event-log entry's id (0 when none ever was). */
  get lastEventId(): number {
    return this.eventLog.lastId;
  }

  /** Whether the database takes writes, and what waits for it when it does not. */
  get storage(): StorageHealth {
    const counts = this.unsaved.counts;
    const status = this.storageStatus;
    return {
      status: status.failing ? 'failing' : 'ok',
      failingSince: status.failingSince,
      lastError: status.error,
      unsavedServices: counts.services,
      unsavedTransitions: counts.transitions,
      droppedTransitions: counts.droppedTransitions,
    };
  }

  history(serviceId: string, page: { limit: number; beforeId: number | null }): Promise<StoredTransition[]> {
    return this.options.persistence.transitions(serviceId, page);
  }

  async uptime(serviceId: string): Promise<Record<UptimeWindow, UptimeSummary>> {
    const now = this.now();
    const since = hourStartOf(now) - (UPTIME_WINDOWS['1y'] - 1) * HOUR_MS;
    return uptimeWindows(await this.options.persistence.hours(serviceId, since), now);
  }

  /**
   * Plans every registry op of a group against the registry as the ops before it leave it, commits
   * their changes in one transaction, and only then applies them and answers each op.
   */
  private async commitGroup(ops: readonly RegistryOp[]): Promise<void> {
    const staged = new Map<string, ServiceRecord | null>();
    const current = (id: string): ServiceRecord | undefined => (staged.has(id) ? (staged.get(id) ?? undefined) : this.services.get(id));
    const changes: RegistryChange[] = [];
    const answers: (() => void)[] = [];
    for (const op of ops) {
      const { change, answer } = op.plan(current);
      answers.push(answer);
      if (change === null) continue;
      changes.push(change);
      staged.set(change.kind === 'save' ? change.record.request.id : change.serviceId, change.kind === 'save' ? change.record : null);
    }
    const deadline = Math.min(...ops.map((op) => op.arrivedAt)) + (this.options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
    try {
      await this.commitChanges(changes, deadline);
    } catch (error) {
      for (const op of ops) op.fail(error);
      return;
    }
    for (const answer of answers) answer();
  }

  /**
   * Writes the changes in one transaction, then applies them in memory and announces them. While
   * another connection holds the write lock it tries again until `deadline` (a `performance.now()` time).
   */
  private async commitChanges(changes: readonly RegistryChange[], deadline: number): Promise<void> {
    if (changes.length === 0) return;
    const at = this.now();
    const writes = changes.map((change): RegistryWrite =>
      change.kind === 'save' ? { kind: 'save', service: change.record, resetHistory: change.resetHistory } : { kind: 'delete', serviceId: change.serviceId },
    );
    const attempt = async (): Promise<StoredEvent[]> => {
      // Unsaved probe results first: the history and the event log stay in the order things happened,
      // and a removal also removes the history its service had waiting.
      await this.flushUnsaved();
      const lastIdBefore = this.eventLog.lastId;
      const logged = changes.map((change) =>
        change.kind === 'save'
          ? this.eventLog.registered(change.record, change.created)
          : this.eventLog.deregistered({ serviceId: change.serviceId, cause: change.cause, reason: change.reason, at }),
      );
      this.storageStatus.attempted();
      await this.logged(lastIdBefore, () => this.options.persistence.writeRegistry(writes, logged));
      return logged;
    };
    let logged: StoredEvent[];
    try {
      logged = await retryWhileLocked(attempt, deadline);
    } catch (error) {
      this.storageFailed(error);
      throw error;
    }
    this.storageStatus.worked();
    this.knownNextDue = undefined;
    for (const [index, change] of changes.entries()) {
      if (change.kind === 'save') {
        const id = change.record.request.id;
        // Due at once, or as soon as a probe of the registration it replaces is back: never two at once.
        this.services.set(id, change.record);
        if (change.created || change.resetHistory) this.currentHours.delete(id);
        if (change.created) this.sortedIds = null;
        this.emit('registered', { service: change.record, created: change.created });
      } else {
        // A probe in flight keeps its mark until it is back, so a quick re-registration waits for it.
        this.services.delete(change.serviceId);
        this.currentHours.delete(change.serviceId);
        this.sortedIds = null;
        this.emit('deregistered', { serviceId: change.serviceId, cause: change.cause, reason: change.reason, at });
      }
      const entry = logged[index];
      if (entry) this.emit('recorded', entry);
    }
  }

  /**
   * Writes the unsaved probe results unless the database refused a write less than STORAGE_RETRY_MS
   * ago (the retry timer tries then): during an outage a cycle's many batches do not each hit the
   * database. Never throws: refused results stay unsaved.
   */
  private async saveUnsaved(): Promise<void> {
    if (this.unsaved.isEmpty || this.storageStatus.recentlyRefused) return;
    try {
      await this.flushUnsaved();
    } catch (error) {
      this.storageFailed(error);
      return;
    }
    this.storageStatus.worked();
  }

  /** Writes the unsaved probe results in one transaction and announces their log entries; throws when refused. */
  private async flushUnsaved(): Promise<void> {
    if (this.unsaved.isEmpty) return;
    const { services, transitions, hours } = this.unsaved.contents();
    const lastIdBefore = this.eventLog.lastId;
    // Ids are handed out at each attempt and taken back when it fails: committed ids stay contiguous.
    const events = transitions.map((transition) => this.eventLog.transition(transition));
    this.storageStatus.attempted();
    await this.logged(lastIdBefore, () => this.options.persistence.saveProbeBatch({ services, transitions, hours, events }));
    this.unsaved.clear();
    for (const event of events) this.emit('recorded', event);
  }

  private storageFailed(error: unknown): void {
    this.storageStatus.failed(error, error instanceof StorageError && error.locked);
  }

  /** The retry timer's message while storage fails: writes what waits, or checks that the lock is free. */
  private async retryStorage(): Promise<void> {
    if (!this.storageStatus.failing) return;
    try {
      if (this.unsaved.isEmpty) {
        // Taking the write lock says whether the lock is free, not whether a write would fit on the
        // disk: any other failure stays until a real write (a registration, a probe result) gets through.
        if (!this.storageStatus.lockedOut) return;
        this.storageStatus.attempted();
        await this.options.persistence.checkWritable();
      } else {
        await this.flushUnsaved();
      }
    } catch (error) {
      this.storageFailed(error);
      return;
    }
    this.storageStatus.worked();
  }

  /** Runs a commit that carries event-log entries; when it fails, their ids are handed out again. */
  private async logged(lastIdBefore: number, commit: () => Promise<void>): Promise<void> {
    try {
      await commit();
    } catch (error) {
      this.eventLog.rewindTo(lastIdBefore);
      throw error;
    }
  }

  private sendToGroup<T>(plan: (current: (id: string) => ServiceRecord | undefined) => { change: RegistryChange | null; result: T }): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return new Promise<T>((resolve, reject) => {
      this.registryWrites.add({
        arrivedAt: performance.now(),
        plan: (current) => {
          const { change, result } = plan(current);
          return { change, answer: () => resolve(result) };
        },
        fail: reject,
      });
    });
  }

  private send<T>(job: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    this.registryWrites.seal();
    return this.mailbox.submit(job);
  }

  private emit<K extends keyof MonitorEventMap>(event: K, ...args: MonitorEventMap[K]): void {
    try {
      (this.events.emit as (event: K, ...args: MonitorEventMap[K]) => boolean)(event, ...args);
    } catch (error) {
      this.options.onListenerError?.(error, event);
    }
  }
}
