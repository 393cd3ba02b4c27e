// Entries of the event log: what stream clients receive, numbered by the store before their commit.
import type { DeregisteredEvent, TransitionEvent } from './events.js';
import type { EventKind, StoredEvent } from './persistence.js';
import type { ServiceRecord } from './service-record.js';

const iso = (at: number): string => new Date(at).toISOString();

/** Hands out event ids; the store actor is its only caller, so ids increase in commit order. */
export class EventLog {
  constructor(private last: number) {}

  /** The id of the latest entry handed out (and, outside a commit, written). */
  get lastId(): number {
    return this.last;
  }

  /** Takes back ids handed out for a commit that failed, so committed ids stay contiguous. */
  rewindTo(id: number): void {
    this.last = id;
  }

  private entry(kind: EventKind, serviceId: string, at: number, data: Record<string, unknown>): StoredEvent {
    return { id: ++this.last, kind, serviceId, at, data: JSON.stringify({ service: serviceId, ...data, at: iso(at) }) };
  }

  registered(record: ServiceRecord, created: boolean): StoredEvent {
    return this.entry('registered', record.request.id, record.registeredAt, { url: record.request.url, created });
  }

  deregistered(event: DeregisteredEvent): StoredEvent {
    return this.entry('deregistered', event.serviceId, event.at, { cause: event.cause, reason: event.reason });
  }

  transition(event: TransitionEvent): StoredEvent {
    return this.entry('transition', event.serviceId, event.at, { from: event.from, to: event.to, reason: event.reason });
  }
}
