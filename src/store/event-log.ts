// Entries of the event log: what stream clients receive, numbered by the store before their commit.
import type { RegistrationRequest } from '../domain/index.js';
import type { DeregisteredEvent, TransitionEvent } from './events.js';
import type { EventKind, StoredEvent } from './persistence.js';

const iso = (at: number): string => new Date(at).toISOString();

/** Hands out event ids; the store actor is its only caller, so ids increase in commit order. */
export class EventLog {
  constructor(private last: number) {}

  /** The id of the latest entry handed out (and, outside a commit, written). */
  get lastId(): number {
    return this.last;
  }

  /**
   * Numbers the entries `make` returns and runs `commit` with them. When the commit fails, their ids are
   * taken back, so committed ids stay contiguous.
   */
  async commitNumbered(
    make: () => StoredEvent[],
    commit: (entries: StoredEvent[]) => Promise<void>,
  ): Promise<StoredEvent[]> {
    const lastBefore = this.last;
    const entries = make();
    try {
      await commit(entries);
    } catch (error) {
      this.last = lastBefore;
      throw error;
    }
    return entries;
  }

  private entry(kind: EventKind, serviceId: string, at: number, data: Record<string, unknown>): StoredEvent {
    return { id: ++this.last, kind, serviceId, at, data: JSON.stringify({ service: serviceId, ...data, at: iso(at) }) };
  }

  registered(
    service: { readonly request: RegistrationRequest; readonly registeredAt: number },
    created: boolean,
  ): StoredEvent {
    return this.entry('registered', service.request.id, service.registeredAt, { url: service.request.url, created });
  }

  deregistered(event: DeregisteredEvent): StoredEvent {
    return this.entry('deregistered', event.serviceId, event.at, { cause: event.cause, reason: event.reason });
  }

  transition(event: TransitionEvent): StoredEvent {
    return this.entry('transition', event.serviceId, event.at, {
      from: event.from,
      to: event.to,
      reason: event.reason,
      impacted_by: event.impactedBy ?? [],
    });
  }
}
