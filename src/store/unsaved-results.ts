// Probe results applied in memory whose write the database refused: kept, and written first by the
// next write that succeeds, so the database catches up with what the API already shows.
import type { HourAggregate } from '../domain/index.js';
import type { TransitionEvent } from './events.js';
import type { ProbedService } from './persistence.js';

/**
 * Transitions kept while the database stays unwritable. States and hourly aggregates are one per
 * service and replace each other; transitions pile up, so beyond this the oldest are dropped
 * (counted) and memory stays bounded however long the outage lasts.
 */
export const MAX_UNSAVED_TRANSITIONS = 10_000;

export interface UnsavedContents {
  readonly services: readonly ProbedService[];
  readonly transitions: readonly TransitionEvent[];
  readonly hours: readonly HourAggregate[];
}

export class UnsavedResults {
  /** Each service touched since the last successful write: its state is written as it is at that write. */
  private readonly services = new Map<string, ProbedService>();
  private transitions: TransitionEvent[] = [];
  /** Keyed by service and hour: a service crossing an hour boundary has two aggregates to write. */
  private readonly hours = new Map<string, HourAggregate>();
  private dropped = 0;

  constructor(private readonly maxTransitions = MAX_UNSAVED_TRANSITIONS) {}

  add(contents: UnsavedContents): void {
    for (const record of contents.services) this.services.set(record.request.id, record);
    for (const hour of contents.hours) this.hours.set(`${hour.serviceId}\n${hour.hourStart}`, hour);
    this.transitions.push(...contents.transitions);
    const excess = this.transitions.length - this.maxTransitions;
    if (excess > 0) {
      this.transitions = this.transitions.slice(excess);
      this.dropped += excess;
    }
  }

  get isEmpty(): boolean {
    return this.services.size === 0 && this.transitions.length === 0 && this.hours.size === 0;
  }

  contents(): UnsavedContents {
    return {
      services: [...this.services.values()],
      transitions: [...this.transitions],
      hours: [...this.hours.values()],
    };
  }

  /** After a successful write of `contents()`. The count of dropped transitions stays until `resetDropped()`. */
  clear(): void {
    this.services.clear();
    this.transitions = [];
    this.hours.clear();
  }

  /** Once the failure that dropped them is over and has been reported. */
  resetDropped(): void {
    this.dropped = 0;
  }

  get counts(): { services: number; transitions: number; droppedTransitions: number } {
    return { services: this.services.size, transitions: this.transitions.length, droppedTransitions: this.dropped };
  }
}
