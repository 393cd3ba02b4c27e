// How long GET /metrics takes for 10,000 services, Prometheus text against JSON, in-process.
// Run: npx tsc -p tsconfig.json && node dist/bench/prometheus-exposition.js [--services 10000] [--runs 20]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createApp } from '../src/api/app.js';
import { ANY_TARGET, type ProbeResult } from '../src/domain/index.js';
import { createMonitorMetrics } from '../src/metrics/prometheus.js';
import { SqlitePersistence } from '../src/store/sqlite/sqlite-persistence.js';
import { ServiceStore } from '../src/store/store.js';

const { values } = parseArgs({ options: { services: { type: 'string', default: '10000' }, runs: { type: 'string', default: '20' } } });
const services = Number(values.services);
const runs = Number(values.runs);
const defaults = { pollIntervalMs: 10_000, probeTimeoutMs: 2000, probeRetries: 2, errorRateThreshold: 0.2, deregisterAfterSec: null };

const store = await ServiceStore.open({ persistence: SqlitePersistence.open(':memory:'), defaults });
const metrics = createMonitorMetrics({ store, events: store.events, attributeLabels: ['service', 'env', 'team', 'version'] });
const app = createApp({ store, defaults, registerToken: null, targetPolicy: ANY_TARGET, logger: pino({ level: 'silent' }), prometheus: metrics });

const ids = Array.from({ length: services }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
const records = await Promise.all(
  ids.map((id, i) => store.register({ id, url: `http://10.0.0.1:8080/${id}`, attributes: { service: `app-${i % 50}`, env: 'prod', team: `team-${i % 7}` } })),
);
// Two answers each, so every family, the recent error ratio included, has a sample per service.
for (const [requestCount, errorCount] of [[100, 2], [200, 5]] as const) {
  const results: ProbeResult[] = records.map(({ record }) => ({
    serviceId: record.request.id,
    generation: record.generation,
    startedAt: Date.now(),
    durationMs: 12,
    attempts: 1,
    outcome: { kind: 'answered', report: { uptimeSec: 100, requestCount, errorCount, attributes: { version: '1.4.2' } } },
  }));
  await store.applyResults(results);
}

async function time(accept: string): Promise<{ medianMs: number; p95Ms: number; maxMs: number; bytes: number }> {
  const took: number[] = [];
  let bytes = 0;
  for (let run = 0; run < runs + 2; run++) {
    const started = performance.now();
    const response = await app.request('/metrics', { headers: { accept } });
    bytes = (await response.arrayBuffer()).byteLength;
    // The first two runs warm the JIT up.
    if (run >= 2) took.push(performance.now() - started);
  }
  took.sort((a, b) => a - b);
  const at = (fraction: number): number => Math.round((took[Math.min(took.length - 1, Math.floor(fraction * took.length))] ?? 0) * 10) / 10;
  return { medianMs: at(0.5), p95Ms: at(0.95), maxMs: at(1), bytes };
}

const prometheus = await time('text/plain');
const json = await time('application/json');
console.log(JSON.stringify({ services, runs, prometheus, json }, null, 2));
metrics.close();
await store.close();
