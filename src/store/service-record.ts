// One registered service as the store holds it: immutable, replaced whole on every change.
import type { RegistrationRequest, ServiceSettings, ServiceState } from '../domain/index.js';

export interface ServiceRecord {
  readonly request: RegistrationRequest;
  readonly settings: ServiceSettings;
  /** Unique per registration; a probe result carrying another generation is stale. */
  readonly generation: number;
  readonly registeredAt: number;
  readonly lastScheduledAt: number | null;
  readonly state: ServiceState;
}

export function freezeRecord(record: ServiceRecord): ServiceRecord {
  return Object.freeze(record);
}
