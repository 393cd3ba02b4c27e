// Keeps this replica's registry and event stream in step with what every replica commits: woken by
// NOTIFY, and polling too, because a notification sent while the connection was down is lost.
import type { Sql } from 'postgres';
import { hourStartOf } from '../domain/index.js';
import type { EventReplay } from '../notify/event-stream/stream-client.js';
import type { MonitorEvents } from '../store/events.js';
import type { Persistence, StoredEvent } from '../store/persistence.js';
import { servicesById, servicesChangedSince, servicesInShards } from '../store/postgres/cluster-reads.js';
import { CHANGES_CHANNEL } from '../store/postgres/write-fence.js';
import type { ServiceStore } from '../store/store.js';
import type { LeaseManager } from './lease-manager.js';

export interface ClusterSyncOptions {
  readonly sql: Sql;
  readonly persistence: Persistence;
  readonly store: ServiceStore;
  readonly leases: LeaseManager;
  /** Where this replica's event stream reads the log from: every replica's entries, in id order. */
  readonly feed: MonitorEvents;
  /** The log and the registry as the store loaded them. */
  readonly lastEventId: number;
  readonly lastRevision: number;
  readonly pollMs?: number;
  readonly onError?: (error: unknown) => void;
}

const EVENTS_PER_PASS = 1000;
const ROWS_PER_PASS = 5000;
/** Notifications within this long share one pass: a few ms of delay for far fewer queries. */
const KICK_GATHER_MS = 20;

function reasonOf(event: StoredEvent): string {
  try {
    const data = JSON.parse(event.data) as { reason?: unknown };
    return typeof data.reason === 'string' ? data.reason : 'deleted on another replica';
  } catch {
    return 'deleted on another replica';
  }
}

export class ClusterSync implements EventReplay {
  private latestEventId: number;
  private revision: number;
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private unlisten: (() => Promise<void>) | null = null;
  private readonly adopting = new Set<Promise<void>>();
  private readonly onGained = (shards: number[]): void => {
    const adopted = this.adopt(shards);
    this.adopting.add(adopted);
    void adopted.finally(() => this.adopting.delete(adopted));
  };

  constructor(private readonly options: ClusterSyncOptions) {
    this.latestEventId = options.lastEventId;
    this.revision = options.lastRevision;
  }

  get lastEventId(): number {
    return this.latestEventId;
  }

  eventsAfter(afterId: number, limit: number): Promise<StoredEvent[]> {
    return this.options.persistence.eventsAfter(afterId, limit);
  }

  oldestEventId(): Promise<number | null> {
    return this.options.persistence.oldestEventId();
  }

  async start(): Promise<void> {
    this.options.leases.on('gained', this.onGained);
    const listening = await this.options.sql.listen(CHANGES_CHANNEL, () => this.kick());
    this.unlisten = () => listening.unlisten();
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 1000);
  }

  /** Resolves once the shards taken so far have their services loaded: probing them may start. */
  async adopted(): Promise<void> {
    await Promise.all(this.adopting);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.leases.off('gained', this.onGained);
    if (this.timer !== null) clearInterval(this.timer);
    if (this.soon !== null) clearTimeout(this.soon);
    await this.running;
    await this.unlisten?.().catch(() => undefined);
  }

  /**
   * Reads what changed soon: notifications that come in a burst (a commit each) share one pass. A pass
   * already running is followed by one more.
   */
  kick(): void {
    if (this.stopped || this.soon !== null) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      this.passNow();
    }, KICK_GATHER_MS);
  }

  private passNow(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.passNow();
        }
      });
  }

  private async pass(): Promise<void> {
    const { sql, store, feed } = this.options;
    const events = await this.options.persistence.eventsAfter(this.latestEventId, EVENTS_PER_PASS);
    // Rows of owned shards are this replica's own writes; a registration made elsewhere for one of them
    // is found through its log entry, as is one whose revision committed out of order.
    const changed = await servicesChangedSince(sql, this.revision, ROWS_PER_PASS, this.options.leases.shards);
    const seen = new Set(changed.services.map((service) => service.request.id));
    const registered = events.filter((e) => e.kind === 'registered' && !seen.has(e.serviceId)).map((e) => e.serviceId);
    const deregistered = events.filter((e) => e.kind === 'deregistered');
    const rows = await servicesById(sql, [...new Set([...registered, ...deregistered.map((e) => e.serviceId)])]);
    const present = new Set(rows.map((row) => row.request.id));
    const gone = deregistered
      .filter((event) => !present.has(event.serviceId) && !seen.has(event.serviceId))
      .map((event) => ({ serviceId: event.serviceId, reason: reasonOf(event) }));
    await store.applyRemote([...changed.services, ...rows.filter((row) => !seen.has(row.request.id))], gone);
    this.revision = changed.revision;
    for (const event of events) {
      this.latestEventId = event.id;
      feed.emit('recorded', event);
    }
    if (events.length === EVENTS_PER_PASS || changed.more) this.again = true;
  }

  /** Shards just taken over: their services as the previous owner left them. */
  private async adopt(shards: number[]): Promise<void> {
    try {
      const { services, openHours } = await servicesInShards(this.options.sql, shards, hourStartOf(Date.now()));
      await this.options.store.adopt(services, openHours);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
