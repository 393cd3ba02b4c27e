// The one seam between the store actor and durable storage; the actor is its only caller.
import type { ServiceRecord } from './service-record.js';
import type { TransitionEvent } from './events.js';

export interface Persistence {
  /** Every stored service with its last known state, read once at start. */
  loadAll(): Promise<readonly ServiceRecord[]>;
  /** A new or replaced registration; resolves only once it is durable. */
  saveRegistration(record: ServiceRecord): Promise<void>;
  /** Resolves only once the removal is durable. */
  deleteRegistration(serviceId: string): Promise<void>;
  /** The states a batch of probe results produced, and the transitions among them, written together. */
  saveProbeBatch(records: readonly ServiceRecord[], transitions: readonly TransitionEvent[]): Promise<void>;
  close(): Promise<void>;
}
