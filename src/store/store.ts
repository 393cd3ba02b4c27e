// The store actor: the only writer of service state. Messages run one at a time, in arrival order.
import {
  applyProbe,
  earliestDueAt,
  healthUrl,
  INITIAL_STATE,
  isDue,
  resolveSettings,
  type ProbeDefaults,
  type ProbeJob,
  type ProbeResult,
  type RegistrationRequest,
} from '../domain/index.js';
import { MonitorEvents, type CycleEvent, type MonitorEventMap, type TransitionEvent } from './events.js';
import { Mailbox } from './mailbox.js';
import type { Persistence } from './persistence.js';
import { freezeRecord, type ServiceRecord } from './service-record.js';

export interface StoreOptions {
  readonly persistence: Persistence;
  readonly defaults: ProbeDefaults;
  readonly now?: () => number;
  /** A listener that throws must not stop the store; this hears about it instead. */
  readonly onListenerError?: (error: unknown, event: keyof MonitorEventMap) => void;
}

export class StoreClosedError extends Error {
  constructor() {
    super('the store is closed');
    this.name = 'StoreClosedError';
  }
}

export class ServiceStore {
  readonly events = new MonitorEvents();
  private readonly services = new Map<string, ServiceRecord>();
  private sortedIds: readonly string[] | null = null;
  private nextGeneration = 1;
  private readonly mailbox = new Mailbox();
  private closed = false;
  private readonly now: () => number;

  private constructor(private readonly options: StoreOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Opens the store with every service the persistence layer remembers. */
  static async open(options: StoreOptions): Promise<ServiceStore> {
    const store = new ServiceStore(options);
    for (const record of await options.persistence.loadAll()) {
      store.services.set(record.request.id, freezeRecord(record));
      store.nextGeneration = Math.max(store.nextGeneration, record.generation + 1);
    }
    return store;
  }

  // ---- messages (mutations) ----

  /** Acknowledged (resolved) only once the registration is durable. */
  register(request: RegistrationRequest): Promise<{ record: ServiceRecord; created: boolean }> {
    return this.send(async () => {
      const existing = this.services.get(request.id);
      const keepsHistory = existing !== undefined && existing.request.url === request.url;
      const record = freezeRecord({
        request,
        settings: resolveSettings(request, this.options.defaults),
        generation: this.nextGeneration++,
        registeredAt: this.now(),
        // A new or changed registration is due at once.
        lastScheduledAt: null,
        state: keepsHistory ? existing.state : INITIAL_STATE,
      });
      await this.options.persistence.saveRegistration(record);
      this.services.set(request.id, record);
      if (!existing) this.sortedIds = null;
      this.emit('registered', { service: record, created: !existing });
      return { record, created: !existing };
    });
  }

  /** Resolves `false` for an unknown id; `true` once the removal is durable. */
  deregister(serviceId: string): Promise<boolean> {
    return this.send(async () => {
      if (!this.services.has(serviceId)) return false;
      await this.options.persistence.deleteRegistration(serviceId);
      this.services.delete(serviceId);
      this.sortedIds = null;
      this.emit('deregistered', { serviceId, cause: 'deleted', at: this.now() });
      return true;
    });
  }

  /** The snapshot of a cycle: every service due at `now`, marked as scheduled. */
  takeDue(now: number): Promise<ProbeJob[]> {
    return this.send(() => {
      const jobs: ProbeJob[] = [];
      for (const [id, record] of this.services) {
        if (!isDue({ intervalMs: record.settings.intervalMs, lastScheduledAt: record.lastScheduledAt }, now)) continue;
        this.services.set(id, freezeRecord({ ...record, lastScheduledAt: now }));
        jobs.push({
          serviceId: id,
          generation: record.generation,
          url: healthUrl(record.request.url, record.settings.healthPath),
          timeoutMs: record.settings.timeoutMs,
          retries: record.settings.retries,
        });
      }
      return jobs;
    });
  }

  /** Applies what came back; a result for a deleted or re-registered service is dropped. Resolves the count applied. */
  applyResults(results: readonly ProbeResult[]): Promise<number> {
    return this.send(async () => {
      const updated: ServiceRecord[] = [];
      const transitions: TransitionEvent[] = [];
      for (const result of results) {
        const record = this.services.get(result.serviceId);
        if (!record || record.generation !== result.generation) continue;
        const { state, change } = applyProbe(record.state, record.settings, result);
        const next = freezeRecord({ ...record, state: Object.freeze(state) });
        this.services.set(result.serviceId, next);
        updated.push(next);
        if (change) transitions.push({ serviceId: result.serviceId, ...change });
      }
      if (updated.length > 0) await this.options.persistence.saveProbeBatch(updated, transitions);
      for (const transition of transitions) this.emit('transition', transition);
      return updated.length;
    });
  }

  recordCycle(cycle: CycleEvent): void {
    this.emit('cycle', cycle);
  }

  /** Waits for queued messages, then closes persistence; later messages are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mailbox.drain();
    await this.options.persistence.close();
  }

  // ---- queries (frozen views, no message needed) ----

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

  nextDueAt(): number | null {
    const schedulables = [...this.services.values()].map((record) => ({
      intervalMs: record.settings.intervalMs,
      lastScheduledAt: record.lastScheduledAt,
    }));
    return earliestDueAt(schedulables);
  }

  private send<T>(job: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
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
