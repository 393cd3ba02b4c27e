// Writing probe results: a batch per message, and while the database refuses them, keeping them
// (bounded) and trying again, so the database catches up with what the API already shows.
import { StorageError, type Persistence, type StoredEvent } from './persistence.js';
import type { EventLog } from './event-log.js';
import type { StorageHealth } from './events.js';
import { StorageStatus } from './storage-status.js';
import { UnsavedResults, type UnsavedContents } from './unsaved-results.js';

/** While the database refuses writes, it is tried again this often, with or without anything to write. */
export const STORAGE_RETRY_MS = 1000;

export interface ResultWritesOptions {
  readonly persistence: Persistence;
  readonly eventLog: EventLog;
  readonly now: () => number;
  /** A log entry was committed. */
  readonly onRecorded: (entry: StoredEvent) => void;
  /** Storage turned failing or back to ok. */
  readonly onStatusChange: () => void;
  /** Runs `job` as a message of the store actor, after those already queued. */
  readonly runInActor: (job: () => Promise<void>) => void;
}

export class ResultWrites {
  readonly status: StorageStatus;
  private readonly unsaved = new UnsavedResults();

  constructor(private readonly options: ResultWritesOptions) {
    this.status = new StorageStatus({
      now: options.now,
      retryMs: STORAGE_RETRY_MS,
      onChange: (status) => {
        options.onStatusChange();
        if (status === 'ok') this.unsaved.resetDropped();
      },
      retry: () => options.runInActor(() => this.retry()),
    });
  }

  get isEmpty(): boolean {
    return this.unsaved.isEmpty;
  }

  /** Results applied in memory, whether or not the database takes them: they are what the targets answered. */
  add(contents: UnsavedContents): void {
    this.unsaved.add(contents);
  }

  /**
   * Writes what waits, unless the database refused a write less than STORAGE_RETRY_MS ago (the retry
   * timer tries then): during an outage a cycle's many batches do not each hit the database. Never throws.
   */
  async save(): Promise<void> {
    if (this.unsaved.isEmpty || this.status.recentlyRefused) return;
    try {
      await this.flush();
    } catch (error) {
      this.failed(error);
      return;
    }
    this.status.worked();
  }

  /** Writes what waits in one transaction and announces its log entries; throws when refused. */
  async flush(): Promise<void> {
    if (this.unsaved.isEmpty) return;
    const { services, transitions, hours } = this.unsaved.contents();
    const { eventLog, persistence } = this.options;
    this.status.attempted();
    const events = await eventLog.commitNumbered(
      () => transitions.map((transition) => eventLog.transition(transition)),
      (entries) => persistence.saveProbeBatch({ services, transitions, hours, events: entries }),
    );
    this.unsaved.clear();
    for (const event of events) this.options.onRecorded(event);
  }

  failed(error: unknown): void {
    this.status.failed(error, error instanceof StorageError && error.locked);
  }

  /** Whether the database takes writes, and what waits for it when it does not. */
  get health(): StorageHealth {
    const counts = this.unsaved.counts;
    return {
      status: this.status.failing ? 'failing' : 'ok',
      failingSince: this.status.failingSince,
      lastError: this.status.error,
      unsavedServices: counts.services,
      unsavedTransitions: counts.transitions,
      droppedTransitions: counts.droppedTransitions,
    };
  }

  /** The retry timer's message while storage fails: writes what waits, or checks that the lock is free. */
  private async retry(): Promise<void> {
    if (!this.status.failing) return;
    try {
      if (this.unsaved.isEmpty) {
        // Taking the write lock says whether the lock is free, not whether a write would fit on the
        // disk: any other failure stays until a real write (a registration, a probe result) gets through.
        if (!this.status.lockedOut) return;
        this.status.attempted();
        await this.options.persistence.checkWritable();
      } else {
        await this.flush();
      }
    } catch (error) {
      this.failed(error);
      return;
    }
    this.status.worked();
  }
}
