// A probe job for tests that run probes without a store: the registered URL and health path, the rest defaulted.
import type { ProbeJob } from '../../src/domain/index.js';

export function probeJob(fields: Partial<ProbeJob> & Pick<ProbeJob, 'url'>): ProbeJob {
  return {
    serviceId: 'svc',
    generation: 1,
    healthPath: '/health',
    timeoutMs: 1000,
    retries: 0,
    dueAt: 0,
    slow: false,
    ...fields,
  };
}
