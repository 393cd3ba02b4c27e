// Example service 2: its error rate rises and falls in phases, so it reads degraded, then healthy again.
import { readServiceOptions } from '../shared/options.js';
import { runExampleService } from '../shared/example-service.js';

const phaseSec = Number(process.env['SVC2_PHASE_SEC'] ?? 30);
const startedAt = Date.now();
const inBadPhase = (): boolean => Math.floor((Date.now() - startedAt) / 1000 / phaseSec) % 2 === 1;

const options = readServiceOptions({ id: 'svc2', port: 9002 });
await runExampleService(options, {
  attributes: { service: 'billing', env: 'prod' },
  // Healthy phase: 2% errors. Bad phase: 45%, well above the default 0.2 threshold.
  errorChance: () => (inBadPhase() ? 0.45 : 0.02),
  liveAttributes: () => ({ phase: inBadPhase() ? 'errors-high' : 'errors-low' }),
});
