// A real persistence whose next eventsAfter can be held: the read starts only when the test lets it,
// so events committed meanwhile reach a resuming stream client both live and in its replay.
import type { Persistence, StoredEvent } from '../../src/store/persistence.js';
import { PersistenceWrapper } from './persistence-wrapper.js';

export interface Hold {
  /** Resolves once a replay has asked for events and is waiting. */
  readonly reached: Promise<void>;
  /** Lets the waiting read (and later ones) go to the database. */
  release(): void;
}

export class HeldEventsAfter extends PersistenceWrapper {
  private held: { arrive: () => void; released: Promise<void> } | null = null;

  constructor(inner: Persistence) {
    super(inner);
  }

  /** Holds the next eventsAfter until `release`; the read is made after the release, so it sees what was committed meanwhile. */
  hold(): Hold {
    let arrive = (): void => undefined;
    let release = (): void => undefined;
    const reached = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held = { arrive, released };
    return {
      reached,
      release: () => {
        this.held = null;
        release();
      },
    };
  }

  override async eventsAfter(afterId: number, limit: number): Promise<StoredEvent[]> {
    const held = this.held;
    if (held !== null) {
      held.arrive();
      await held.released;
    }
    return super.eventsAfter(afterId, limit);
  }
}
