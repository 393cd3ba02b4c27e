// Registry writes and log entries as the store hands them to Persistence, for tests that call it directly.
import { INITIAL_STATE, type ServiceState } from '../../src/domain/index.js';
import type { ProbeBatch, RegistryWrite, StoredEvent, StoredService } from '../../src/store/persistence.js';
import { registration } from './fixtures.js';

export function storedService(id: string, state: ServiceState = INITIAL_STATE): StoredService {
  return { request: registration(id), generation: 1, registeredAt: 1_000_000, state };
}

export const save = (id: string): RegistryWrite => ({ kind: 'save', service: storedService(id), resetHistory: false });

export const remove = (serviceId: string): RegistryWrite => ({ kind: 'delete', serviceId });

export function logEntry(id: number, serviceId: string, kind: StoredEvent['kind'] = 'registered'): StoredEvent {
  return { id, kind, serviceId, at: 1_000_000 + id, data: JSON.stringify({ service: serviceId }) };
}

/** A probe result for `serviceId` (generation 1) that takes it to healthy, with its transition logged as entry `eventId`. */
export function healthyBatch(serviceId: string, eventId: number): ProbeBatch {
  const at = 1_000_000 + eventId;
  const transition = {
    serviceId,
    from: { health: 'unknown', ready: false },
    to: { health: 'healthy', ready: true },
    reason: 'answered',
    at,
  } as const;
  return {
    services: [storedService(serviceId, { ...INITIAL_STATE, health: 'healthy', ready: true, lastCheckedAt: at })],
    transitions: [transition],
    events: [logEntry(eventId, serviceId, 'transition')],
    hours: [],
  };
}
