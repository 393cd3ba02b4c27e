// Which services have a probe in flight, and which of the others fall due next: a queue per interval,
// so a cycle pops what is due instead of scanning every service.
import TinyQueue from 'tinyqueue';
import { joinEarlyMs } from '../domain/index.js';
import type { Registry } from './registry.js';
import type { ServiceEntry } from './service-entry.js';

/** A service waiting to be taken, with the due time it had when it started waiting. */
interface Waiting {
  readonly entry: ServiceEntry;
  readonly dueAt: number;
}

const byDueTime = (a: Waiting, b: Waiting): number => a.dueAt - b.dueAt;

export class DueTracker {
  /** Services whose probe is out, with when their cycle took them; kept across re-registration and removal until the result is back. */
  private readonly inFlightSince = new Map<string, number>();
  /**
   * Keyed by interval: every service in a queue may join a cycle equally early, so the ones a cycle
   * takes are at the head. A removed or replaced registration is dropped when it reaches the head.
   */
  private readonly queues = new Map<number, TinyQueue<Waiting>>();

  constructor(
    private readonly registry: Registry,
    /** Cluster mode: only services whose shard this replica holds are taken; others drop out when they reach the head. */
    private readonly eligible: (entry: ServiceEntry) => boolean = () => true,
  ) {}

  /** A new registration, or a service whose probe is back: it may be taken from its due time. */
  wait(entry: ServiceEntry): void {
    const intervalMs = entry.settings.intervalMs;
    let queue = this.queues.get(intervalMs);
    if (queue === undefined) {
      queue = new TinyQueue<Waiting>([], byDueTime);
      this.queues.set(intervalMs, queue);
    }
    queue.push({ entry, dueAt: entry.dueAt });
  }

  /** Every service due at `now` with no probe in flight, marked as in flight, earliest due first per interval. */
  take(now: number): ServiceEntry[] {
    const due: ServiceEntry[] = [];
    for (const [intervalMs, queue] of this.queues) {
      const until = now + joinEarlyMs(intervalMs);
      for (
        let head = this.waitingHead(queue);
        head !== undefined && head.dueAt <= until;
        head = this.waitingHead(queue)
      ) {
        queue.pop();
        this.inFlightSince.set(head.entry.id, now);
        due.push(head.entry);
      }
      if (queue.length === 0) this.queues.delete(intervalMs);
    }
    return due;
  }

  /** The service's probe is back: it may be taken again once `wait` is called. Returns when its cycle took it. */
  returned(serviceId: string): number | undefined {
    const since = this.inFlightSince.get(serviceId);
    this.inFlightSince.delete(serviceId);
    return since;
  }

  /** The earliest time a service with no probe in flight falls due, `null` when there is none. */
  nextDueAt(): number | null {
    let earliest: number | null = null;
    for (const queue of this.queues.values()) {
      const head = this.waitingHead(queue);
      if (head !== undefined && (earliest === null || head.dueAt < earliest)) earliest = head.dueAt;
    }
    return earliest;
  }

  /** The queue's head once what no longer waits is dropped: removed, replaced, in flight or rescheduled. */
  private waitingHead(queue: TinyQueue<Waiting>): Waiting | undefined {
    for (let head = queue.peek(); head !== undefined; head = queue.peek()) {
      const { entry, dueAt } = head;
      if (
        this.registry.get(entry.id) === entry &&
        !this.inFlightSince.has(entry.id) &&
        entry.dueAt === dueAt &&
        this.eligible(entry)
      )
        return head;
      queue.pop();
    }
    return undefined;
  }
}
