// How long GET /metrics takes for 10,000 services, Prometheus text against JSON, in-process, and how
// much the process grows over five text scrapes.
// Run: npx tsc -p tsconfig.json && node --expose-gc dist/bench/prometheus-exposition.js [--services 10000] [--runs 20]
// (--expose-gc is optional: with it the RSS baseline is taken after a full collection.)
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createApp } from '../src/api/app.js';
import { ANY_TARGET, type ProbeResult } from '../src/domain/index.js';
import { createMonitorMetrics } from '../src/metrics/prometheus.js';
import { SqlitePersistence } from '../src/store/sqlite/sqlite-persistence.js';
import { ServiceStore } from '../src/store/store.js';

const { values } = parseArgs({
  options: { services: { type: 'string', default: '10000' }, runs: { type: 'string', default: '20' } },
});
const services = Number(values.services);
const runs = Number(values.runs);
if (!Number.isInteger(services) || services < 1)
  throw new Error(`--services must be a positive whole number, not "${values.services}"`);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive whole number, not "${values.runs}"`);
const defaults = {
  pollIntervalMs: 10_000,
  probeTimeoutMs: 2000,
  probeRetries: 2,
  errorRateThreshold: 0.2,
  deregisterAfterSec: null,
};
const TEXT = 'text/plain';
const MB = 1024 * 1024;

const store = await ServiceStore.open({ persistence: SqlitePersistence.open(':memory:'), defaults });
const metrics = createMonitorMetrics({
  store,
  events: store.events,
  attributeLabels: ['service', 'env', 'team', 'version'],
});
const app = createApp({
  store,
  defaults,
  registerToken: null,
  targetPolicy: ANY_TARGET,
  logger: pino({ level: 'silent' }),
  prometheus: metrics,
});

const ids = Array.from({ length: services }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
const registered = await Promise.all(
  ids.map((id, i) =>
    store.register({
      id,
      url: `http://10.0.0.1:8080/${id}`,
      attributes: { service: `app-${i % 50}`, env: 'prod', team: `team-${i % 7}` },
    }),
  ),
);

let answers = 0;
/** One answer for every service: every record is replaced, so nothing cached for the old ones applies. */
async function answerAll(): Promise<void> {
  answers += 1;
  const results: ProbeResult[] = registered.map(({ record }) => ({
    serviceId: record.request.id,
    generation: record.generation,
    startedAt: Date.now(),
    durationMs: 12 + (answers % 5),
    attempts: 1,
    outcome: {
      kind: 'answered',
      report: {
        uptimeSec: 100 * answers,
        requestCount: 100 * answers,
        errorCount: 2 * answers + (answers % 3),
        attributes: { version: '1.4.2' },
      },
    },
  }));
  await store.applyResults(results);
}
// Two answers each, so every family, the recent error ratio included, has a sample per service.
await answerAll();
await answerAll();

async function scrape(accept: string): Promise<number> {
  const response = await app.request('/metrics', { headers: { accept } });
  return (await response.arrayBuffer()).byteLength;
}

interface MemoryGrowth {
  readonly rssBeforeMb: number;
  /** RSS after the fifth scrape, less the RSS before the first. */
  readonly rssIncreaseMb: number;
  /** The highest RSS seen after any of the five, less the RSS before the first. */
  readonly rssPeakIncreaseMb: number;
  /** Heap and external memory still held after a full collection (needs --expose-gc): what the scrapes keep, such as a cache. */
  readonly retainedAfterGcMb: number | null;
}

const mb = (bytes: number): number => Math.round((bytes / MB) * 10) / 10;
const held = (): number => {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
};

/** Memory growth over five text scrapes of an unchanged store, measured before anything else ran one. */
async function memoryGrowth(): Promise<MemoryGrowth> {
  globalThis.gc?.();
  const before = process.memoryUsage.rss();
  const heldBefore = held();
  let peak = before;
  for (let scrapes = 0; scrapes < 5; scrapes++) {
    await scrape(TEXT);
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  const after = process.memoryUsage.rss();
  let retained: number | null = null;
  if (globalThis.gc) {
    globalThis.gc();
    retained = mb(held() - heldBefore);
  }
  return {
    rssBeforeMb: mb(before),
    rssIncreaseMb: mb(after - before),
    rssPeakIncreaseMb: mb(peak - before),
    retainedAfterGcMb: retained,
  };
}

interface Timing {
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly bytes: number;
}

/** `runs` timed scrapes after two warm-up ones; `between` runs untimed before each. */
async function time(accept: string, between?: () => Promise<void>): Promise<Timing> {
  const took: number[] = [];
  let bytes = 0;
  for (let run = 0; run < runs + 2; run++) {
    await between?.();
    const started = performance.now();
    bytes = await scrape(accept);
    // The first two runs warm the JIT up.
    if (run >= 2) took.push(performance.now() - started);
  }
  took.sort((a, b) => a - b);
  const at = (fraction: number): number =>
    Math.round((took[Math.min(took.length - 1, Math.floor(fraction * took.length))] ?? 0) * 10) / 10;
  return { medianMs: at(0.5), p95Ms: at(0.95), maxMs: at(1), bytes };
}

const memory = await memoryGrowth();
// The same records every scrape: what a scrape costs when no service changed since the last one.
const prometheusUnchanged = await time(TEXT);
// Every record new before each scrape, as after a full probing cycle: nothing cached applies.
const prometheusAllChanged = await time(TEXT, answerAll);
const json = await time('application/json');
console.log(
  JSON.stringify(
    { services, runs, memoryOverFiveTextScrapes: memory, prometheusUnchanged, prometheusAllChanged, json },
    null,
    2,
  ),
);
metrics.close();
await store.close();
