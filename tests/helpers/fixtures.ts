// Small builders shared by tests: defaults, registrations, probe results.
import type { ProbeDefaults, ProbeOutcome, ProbeResult, RegistrationRequest } from '../../src/domain/index.js';
import { ServiceStore } from '../../src/store/store.js';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import type { Persistence } from '../../src/store/persistence.js';

export const TEST_DEFAULTS: ProbeDefaults = {
  pollIntervalMs: 10_000,
  probeTimeoutMs: 2000,
  probeRetries: 2,
  errorRateThreshold: 0.2,
  deregisterAfterSec: null,
};

export function registration(
  id: string,
  url = `http://127.0.0.1:1/${id}`,
  extra: Partial<RegistrationRequest> = {},
): RegistrationRequest {
  return { id, url, attributes: {}, ...extra };
}

export function probeResult(
  serviceId: string,
  generation: number,
  outcome: ProbeOutcome,
  startedAt = Date.now(),
): ProbeResult {
  return { serviceId, generation, startedAt, durationMs: 5, attempts: 1, outcome };
}

export const HEALTHY: ProbeOutcome = {
  kind: 'answered',
  report: { uptimeSec: 1, requestCount: 10, errorCount: 0, attributes: {} },
};

export function openStore(
  options: {
    persistence?: Persistence;
    defaults?: Partial<ProbeDefaults>;
    now?: () => number;
    lockWaitMs?: number;
  } = {},
): Promise<ServiceStore> {
  return ServiceStore.open({
    persistence: options.persistence ?? SqlitePersistence.open(':memory:'),
    defaults: { ...TEST_DEFAULTS, ...options.defaults },
    ...(options.now ? { now: options.now } : {}),
    ...(options.lockWaitMs === undefined ? {} : { lockWaitMs: options.lockWaitMs }),
  });
}
