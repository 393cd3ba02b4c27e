// The store actor: the only writer of service state. Messages run one at a time, in arrival order;
// inside, records are updated in place, and everything handed out is a frozen view.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  addProbe,
  emptyHour,
  expiryReason,
  DAY_MS,
  EVERY_SERVICE,
  HOUR_MS,
  hourStartOf,
  impactedBy,
  intervalAnchor,
  resolveSettings,
  restoredScheduledAt,
  windowFor,
  rollUp,
  rollupRange,
  updateState,
  uptimeWindows,
  UPTIME_WINDOWS,
  type HourAggregate,
  type MaintenanceWindow,
  type OpenHourAggregate,
  type ProbeDefaults,
  type ProbeJob,
  type ProbeResult,
  type RegistrationRequest,
  type ServiceRollup,
  type UptimeSummary,
  type UptimeWindow,
} from '../domain/index.js';
import { DueTracker } from './due-tracker.js';
import { EventLog } from './event-log.js';
import {
  MonitorEvents,
  type CycleEvent,
  type MonitorEventMap,
  type StorageHealth,
  type TransitionEvent,
} from './events.js';
import { Mailbox } from './mailbox.js';
import type { Persistence, StoredEvent, StoredService, StoredTransition } from './persistence.js';
import { RemoteChanges } from './remote-changes.js';
import { Registry } from './registry.js';
import { RegistryWrites, type RegisterAnswer, type RegistryChange } from './registry-writes.js';
import { ResultWrites } from './result-writes.js';
import { ServiceEntry } from './service-entry.js';
import type { ServiceRecord } from './service-record.js';

export { STORAGE_RETRY_MS } from './result-writes.js';

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
  /** Cluster mode: whether this replica probes the service (its shard's lease is held); default: all. */
  readonly owns?: (serviceId: string) => boolean;
  /** Cluster mode: until when (epoch ms) the leases this replica holds now are valid; jobs start by then. */
  readonly ownedUntil?: () => number | null;
  /**
   * How long probe results wait to be joined into one write (default 0: written as they come, joined
   * only while an earlier write is out). A database across a network pays per transaction, not per row.
   */
  readonly resultWriteDelayMs?: number;
  /** How long registrations and deletions gather into one durable commit (default: one event-loop turn). */
  readonly registryGatherMs?: number;
}

export const DEFAULT_LOCK_WAIT_MS = 2000;

export class StoreClosedError extends Error {
  constructor() {
    super('the store is closed');
    this.name = 'StoreClosedError';
  }
}

/** Results joined into one message and one write at most: a larger transaction holds the mailbox too long. */
const MAX_RESULT_GROUP = 5000;

/** Result batches waiting at the end of the mailbox as one job; others join it while it is still last. */
interface ResultGroup {
  readonly parts: (readonly ProbeResult[])[];
  size: number;
  /** The mailbox's count once this group's job was submitted; `null` while it waits to be. */
  ticket: number | null;
  applied: Promise<number[]>;
  /** Ends the wait: the group enters the mailbox now (nothing once it has). */
  submitNow: () => void;
}

/** Rows deleted per pruning message: small, so the API never waits long behind one. */
const PRUNE_BATCH_ROWS = 500;
const AGGREGATE_RETENTION_MS = 365 * 24 * HOUR_MS;

export class ServiceStore {
  readonly events = new MonitorEvents();
  private readonly registry = new Registry();
  private readonly windows = new Map<string, MaintenanceWindow>();
  private readonly windowTimers = new Map<string, NodeJS.Timeout>();
  private readonly due: DueTracker;
  private readonly remote: RemoteChanges;
  private readonly mailbox = new Mailbox();
  private readonly results: ResultWrites;
  private readonly registryWrites: RegistryWrites;
  private closed = false;
  private readonly now: () => number;
  private latestCycle: CycleEvent | null = null;
  private resultGroup: ResultGroup | null = null;

  private constructor(
    private readonly options: StoreOptions,
    private readonly eventLog: EventLog,
    nextGeneration: number,
  ) {
    this.now = options.now ?? Date.now;
    const emit = this.emit.bind(this);
    const owns = options.owns ?? (() => true);
    this.due = new DueTracker(this.registry, (entry) => owns(entry.id));
    this.results = new ResultWrites({
      persistence: options.persistence,
      eventLog,
      now: this.now,
      onRecorded: (entry) => emit('recorded', entry),
      onStatusChange: () => emit('storage', this.storage),
      runInActor: (job) => void this.send(job).catch(() => undefined),
    });
    this.registryWrites = new RegistryWrites({
      registry: this.registry,
      due: this.due,
      persistence: options.persistence,
      eventLog,
      results: this.results,
      mailbox: this.mailbox,
      defaults: options.defaults,
      now: this.now,
      lockWaitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
      gatherMs: options.registryGatherMs ?? 0,
      nextGeneration,
      emit,
    });
    this.remote = new RemoteChanges({
      registry: this.registry,
      due: this.due,
      defaults: options.defaults,
      now: this.now,
      emit,
      owns,
      sawGeneration: (generation) => this.registryWrites.sawGeneration(generation),
    });
  }

  /** Opens the store with every service the persistence layer remembers, their polling spread over their interval. */
  static async open(options: StoreOptions): Promise<ServiceStore> {
    const now = (options.now ?? Date.now)();
    const { services, openHours, lastEventId } = await options.persistence.load(hourStartOf(now));
    const openHourOf = new Map<string, OpenHourAggregate>();
    for (const hour of openHours) openHourOf.set(hour.serviceId, { ...hour, histogram: { ...hour.histogram } });
    let nextGeneration = 1;
    const entries: ServiceEntry[] = [];
    for (const stored of services) {
      const settings = resolveSettings(stored.request, options.defaults);
      const lastScheduledAt = restoredScheduledAt(stored.request.id, settings.intervalMs, stored.state, now);
      const openHour = openHourOf.get(stored.request.id) ?? null;
      entries.push(
        new ServiceEntry(
          stored.request,
          settings,
          stored.generation,
          stored.registeredAt,
          stored.state,
          lastScheduledAt,
          openHour,
        ),
      );
      nextGeneration = Math.max(nextGeneration, stored.generation + 1);
    }
    const store = new ServiceStore(options, new EventLog(lastEventId), nextGeneration);
    for (const entry of entries) {
      store.registry.put(entry);
      store.due.wait(entry);
    }
    store.replaceWindows(await options.persistence.maintenanceWindows());
    return store;
  }

  // ---- maintenance windows ----

  /** Starts (or replaces) the window of `window.scope`; resolves once it is durable. */
  async startMaintenance(window: MaintenanceWindow): Promise<void> {
    await this.send(() => this.options.persistence.writeMaintenance(window.scope, window));
    this.windows.set(window.scope, window);
    this.armWindowEnd(window);
  }

  /** Ends `scope`'s window early; `false` when none is open. Resolves once the end is durable. */
  async endMaintenance(scope: string): Promise<boolean> {
    const open = this.windows.get(scope);
    if (open === undefined || open.until <= this.now()) return false;
    await this.send(() => this.options.persistence.writeMaintenance(scope, null));
    this.windowEnded(scope);
    return true;
  }

  /** The window covering a service now, if any. */
  maintenanceFor(serviceId: string): MaintenanceWindow | null {
    return windowFor(this.windows, serviceId, this.now());
  }

  /** The windows open now, for every service first, then by service id. */
  openWindows(): MaintenanceWindow[] {
    const now = this.now();
    return [...this.windows.values()]
      .filter((window) => window.until > now)
      .sort((a, b) => (a.scope === b.scope ? 0 : a.scope === EVERY_SERVICE ? -1 : a.scope < b.scope ? -1 : 1));
  }

  /** Cluster mode: the windows as the database has them now (another replica may have changed them). */
  async reloadMaintenance(): Promise<void> {
    this.replaceWindows(await this.options.persistence.maintenanceWindows());
  }

  private replaceWindows(windows: readonly MaintenanceWindow[]): void {
    const kept = new Set(windows.map((window) => window.scope));
    for (const scope of [...this.windows.keys()]) if (!kept.has(scope)) this.windowEnded(scope);
    for (const window of windows) {
      const known = this.windows.get(window.scope);
      if (known?.until === window.until && known.reason === window.reason) continue;
      this.windows.set(window.scope, window);
      this.armWindowEnd(window);
    }
  }

  /** A timer at the window's end (re-armed in steps: timers cannot wait longer than about 24 days). */
  private armWindowEnd(window: MaintenanceWindow): void {
    clearTimeout(this.windowTimers.get(window.scope));
    const wait = window.until - this.now();
    if (wait <= 0) return void this.windows.delete(window.scope);
    const timer = setTimeout(
      () => {
        if (this.windows.get(window.scope) !== window) return;
        if (window.until > this.now()) this.armWindowEnd(window);
        else this.windowEnded(window.scope);
      },
      Math.min(wait, 2 ** 31 - 1),
    );
    timer.unref();
    this.windowTimers.set(window.scope, timer);
  }

  private windowEnded(scope: string): void {
    clearTimeout(this.windowTimers.get(scope));
    this.windowTimers.delete(scope);
    if (this.windows.delete(scope)) this.emit('maintenanceEnded', { scope });
  }

  // ---- messages (mutations) ----

  /** Acknowledged (resolved) only once the registration is durable. */
  register(request: RegistrationRequest): Promise<RegisterAnswer> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return this.registryWrites.register(request);
  }

  /** Resolves `false` for an unknown id; `true` once the removal is durable. */
  deregister(serviceId: string): Promise<boolean> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return this.registryWrites.deregister(serviceId);
  }

  /**
   * The snapshot of a cycle: every service due at `now` whose last probe is back, marked as in flight
   * until its result is applied (a service never has two probes in flight).
   */
  takeDue(now: number): Promise<ProbeJob[]> {
    return this.send(() => {
      const startBy = this.options.ownedUntil?.() ?? undefined;
      // Never scheduled: due since it was registered.
      return this.due
        .take(now)
        .map((entry) => entry.probeJob(entry.lastScheduledAt === null ? entry.registeredAt : entry.dueAt, startBy));
    });
  }

  /**
   * Applies what came back, in one transaction; a result for a deleted or re-registered service is
   * dropped. Services bad for longer than their deregister_after_sec are then removed. Resolves the count applied.
   * Batches that arrive while earlier ones are written join one group (group commit), so a slower
   * database gets fewer, larger writes instead of a queue of small ones.
   */
  applyResults(results: readonly ProbeResult[]): Promise<number> {
    const open = this.resultGroup;
    const stillLast = open !== null && (open.ticket === null || open.ticket === this.mailbox.submitted);
    if (open !== null && stillLast && open.size + results.length <= MAX_RESULT_GROUP) {
      const index = open.parts.push(results) - 1;
      open.size += results.length;
      return open.applied.then((counts) => counts[index] ?? 0);
    }
    const group: ResultGroup = {
      parts: [results],
      size: results.length,
      ticket: null,
      applied: Promise.resolve([]),
      submitNow: () => undefined,
    };
    const submit = (): Promise<number[]> => {
      const applied = this.send(() => {
        if (this.resultGroup === group) this.resultGroup = null;
        return this.applyGroup(group.parts);
      });
      group.ticket = this.mailbox.submitted;
      return applied;
    };
    const delayMs = this.options.resultWriteDelayMs ?? 0;
    if (delayMs > 0) {
      group.applied = new Promise<number[]>((resolve, reject) => {
        const timer = setTimeout(() => group.submitNow(), delayMs);
        group.submitNow = () => {
          clearTimeout(timer);
          group.submitNow = () => undefined;
          submit().then(resolve, reject);
        };
      });
    } else group.applied = submit();
    this.resultGroup = group;
    return group.applied.then((counts) => counts[0] ?? 0);
  }

  /** Writes the results still gathering now, and resolves once they are written (or refused). */
  async flushResults(): Promise<void> {
    const group = this.resultGroup;
    if (group === null) return;
    group.submitNow();
    await group.applied.catch(() => undefined);
  }

  /** Result batches that queued up behind one another, applied in memory and written in one transaction. */
  private async applyGroup(parts: readonly (readonly ProbeResult[])[]): Promise<number[]> {
    const counts: number[] = [];
    const updated: ServiceEntry[] = [];
    const transitions: TransitionEvent[] = [];
    const hours: HourAggregate[] = [];
    for (const results of parts) {
      const before = updated.length;
      for (const result of results) {
        const takenAt = this.due.returned(result.serviceId);
        const entry = this.registry.get(result.serviceId);
        if (!entry) continue;
        if (entry.generation !== result.generation) {
          // Re-registered while the old probe was out: the new registration is free to go now.
          this.due.wait(entry);
          continue;
        }
        const change = updateState(entry.state, entry.settings, result);
        entry.lastScheduledAt = intervalAnchor(
          takenAt ?? entry.lastScheduledAt,
          result.startedAt,
          result.outcome.kind !== 'monitor_error',
        );
        entry.changed();
        this.due.wait(entry);
        updated.push(entry);
        if (change) transitions.push({ serviceId: result.serviceId, ...change });
        const checkedAt = entry.state.lastCheckedAt;
        // Uptime leaves maintenance out: those probes are not counted.
        const inWindow = checkedAt !== null && windowFor(this.windows, entry.id, checkedAt) !== null;
        if (result.outcome.kind !== 'monitor_error' && checkedAt !== null && !inWindow) {
          const hourStart = hourStartOf(checkedAt);
          if (entry.openHour?.hourStart !== hourStart) entry.openHour = emptyHour(entry.id, hourStart);
          addProbe(entry.openHour, result.durationMs, entry.state.ready);
          hours.push(entry.openHour);
        }
      }
      counts.push(updated.length - before);
    }
    // Judged once the whole batch is in: a dependency that went down in this very batch counts.
    const healthOf = (id: string) => this.registry.get(id)?.state.health;
    for (const [index, transition] of transitions.entries()) {
      const dependsOn = this.registry.get(transition.serviceId)?.request.dependsOn;
      const impacted = impactedBy(dependsOn, healthOf);
      if (impacted.length > 0) transitions[index] = { ...transition, impactedBy: impacted };
    }
    // Applied in memory whether or not the database takes them: they are what the targets answered.
    // A refused batch waits and goes first in the next write that succeeds.
    this.results.add({ services: updated, transitions, hours });
    await this.results.save();
    for (const transition of transitions) this.emit('transition', transition);
    const now = this.now();
    const expired: RegistryChange[] = [];
    for (const entry of updated) {
      const reason = expiryReason(entry.state, entry.settings.deregisterAfterMs, now);
      if (reason !== null) expired.push({ kind: 'delete', serviceId: entry.id, cause: 'expired', reason });
    }
    if (expired.length > 0) {
      // One attempt: no one waits for an expiry. Refused, it is decided again at the service's next probe.
      await this.registryWrites.commit(expired, performance.now()).catch(() => undefined);
    }
    return counts;
  }

  /** Cluster mode: rows other replicas changed, and services they removed (see RemoteChanges.apply). */
  applyRemote(rows: readonly StoredService[], gone: readonly { serviceId: string; reason: string }[]): Promise<void> {
    return this.send(() => this.remote.apply(rows, gone));
  }

  /** Cluster mode: the services of shards this replica just took over, as the database has them. */
  adopt(rows: readonly StoredService[], openHours: readonly HourAggregate[]): Promise<void> {
    return this.send(() => this.remote.adopt(rows, openHours));
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
    const cutoffs = {
      transitionsBefore: now - historyRetentionDays * 24 * HOUR_MS,
      hoursBefore: now - AGGREGATE_RETENTION_MS,
    };
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
    for (const timer of this.windowTimers.values()) clearTimeout(timer);
    this.results.status.stop();
    await this.mailbox.drain();
    if (!this.results.isEmpty) {
      // A last attempt. Refused, these results are lost: no one was told they were stored, and the
      // 'storage' event tells the log how many.
      await this.results.flush().catch(() => this.emit('storage', this.storage));
    }
    await this.options.persistence.close();
  }

  // ---- queries (frozen views and reads, no message needed) ----

  get(serviceId: string): ServiceRecord | undefined {
    return this.registry.get(serviceId)?.frozen();
  }

  /** Every service, sorted by id. */
  list(): readonly ServiceRecord[] {
    return this.registry.views();
  }

  get size(): number {
    return this.registry.size;
  }

  /** The earliest time a service with no probe in flight falls due, `null` when there is none. */
  nextDueAt(): number | null {
    return this.due.nextDueAt();
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
    return this.results.health;
  }

  history(serviceId: string, page: { limit: number; beforeId: number | null }): Promise<StoredTransition[]> {
    return this.options.persistence.transitions(serviceId, page);
  }

  async uptime(serviceId: string): Promise<Record<UptimeWindow, UptimeSummary>> {
    const now = this.now();
    const since = hourStartOf(now) - (UPTIME_WINDOWS['1y'] - 1) * HOUR_MS;
    return uptimeWindows(await this.options.persistence.hourlyAggregates(serviceId, since), now);
  }

  /** A service's hourly aggregates from `sinceHourStart` on, oldest first: the service page's chart. */
  hourlyAggregates(serviceId: string, sinceHourStart: number): Promise<HourAggregate[]> {
    return this.options.persistence.hourlyAggregates(serviceId, sinceHourStart);
  }

  /** The status page's 90-day bars and 24 h / 7 d / 30 d figures for these services, from the stored hours. */
  async dailyUptime(serviceIds: readonly string[], historyRetentionDays: number): Promise<Map<string, ServiceRollup>> {
    const now = this.now();
    const range = rollupRange(now);
    const rows = await this.options.persistence.dailyRollups(serviceIds, range);
    return rollUp(serviceIds, rows.days, rows.transitions, range, now - historyRetentionDays * DAY_MS);
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
