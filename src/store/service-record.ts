// One registered service as readers outside the store actor see it: a frozen copy that never changes.
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
