// `npm run bench`: full probe cycles over many services against a target farm in its own process
// (the first, with every service's first verdict, and a later one), the main thread's load and the
// process's CPU per probe during them, GET /metrics latency, and peak memory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startFarm } from './start-farm.js';
import { createApp } from '../src/api/app.js';
import { ANY_TARGET, type ProbeDefaults } from '../src/domain/index.js';
import { PoolProber } from '../src/scheduler/pool-prober.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { ServiceStore } from '../src/store/store.js';
import { SqlitePersistence } from '../src/store/sqlite/sqlite-persistence.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '5' },
    threads: { type: 'string' },
    /** Writes a CPU profile of the main thread during the cycle only (workers: run node with --cpu-prof). */
    'cycle-profile': { type: 'string' },
    'metrics-reads': { type: 'string', default: '20' },
    /** Cycles to run; the first is reported as is, the last (when more than one) as steady_*. */
    cycles: { type: 'string', default: '2' },
    /** Every Nth service never answers: what hanging targets cost a cycle (0: none). */
    'hang-every': { type: 'string', default: '0' },
    'timeout-ms': { type: 'string', default: '2000' },
    out: { type: 'string', default: fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url)) },
  },
});
const services = Number(values.services);
const concurrency = Number(values.concurrency);
const metricsReads = Number(values['metrics-reads']);
const cycles = Math.max(1, Number(values.cycles));

async function startProfiler(): Promise<{ stop: () => Promise<object> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}

const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

let peakRss = 0;
const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);

const farm = await startFarm(0, Number(values['hang-every']));
const defaults: ProbeDefaults = { pollIntervalMs: 3_600_000, probeTimeoutMs: Number(values['timeout-ms']), probeRetries: 2, errorRateThreshold: 0.2, deregisterAfterSec: null };
const store = await ServiceStore.open({ persistence: SqlitePersistence.open(':memory:'), defaults });
const prober = new PoolProber({ maxConcurrency: concurrency, ...(values.threads ? { threads: Number(values.threads) } : {}) });
await prober.warmUp();

log(`registering ${services} services`);
const registerStart = performance.now();
for (let i = 0; i < services; i++) {
  await store.register({ id: `svc-${String(i).padStart(6, '0')}`, url: `http://127.0.0.1:${farm.port}/s/${i}`, attributes: { env: 'bench' } });
}
const registerMs = performance.now() - registerStart;

interface CycleMeasure {
  readonly durationMs: number;
  readonly applied: number;
  readonly elu: number;
  readonly cpuUsPerProbe: number;
}

/** One full cycle of every service, the scheduler's clock `shiftMs` ahead so that all are due again. */
async function measureCycle(shiftMs: number, profile: string | undefined): Promise<CycleMeasure> {
  const scheduler = new Scheduler({ store, prober, now: () => Date.now() + shiftMs });
  const profiler = profile === undefined ? null : await startProfiler();
  const cycle = new Promise<{ durationMs: number; applied: number }>((resolve) => store.events.once('cycle', resolve));
  const eluStart = performance.eventLoopUtilization();
  const cpuStart = process.cpuUsage();
  scheduler.start();
  const { durationMs, applied } = await cycle;
  const elu = performance.eventLoopUtilization(eluStart);
  // CPU of the whole process (main thread and probe threads): steadier than rates when other work shares the cores.
  const cpu = process.cpuUsage(cpuStart);
  await scheduler.stop();
  if (profiler && profile !== undefined) writeFileSync(profile, JSON.stringify(await profiler.stop()));
  return { durationMs, applied, elu: elu.utilization, cpuUsPerProbe: Math.round((cpu.user + cpu.system) / Math.max(1, applied)) };
}

log('running one full cycle');
const first = await measureCycle(0, cycles === 1 ? values['cycle-profile'] : undefined);
const { durationMs, applied } = first;
// Later cycles see no first-probe transitions: the steady state of a running monitor.
let steady: CycleMeasure | null = null;
for (let i = 1; i < cycles; i++) {
  log(`running cycle ${i + 1}`);
  steady = await measureCycle(i * defaults.pollIntervalMs, i === cycles - 1 ? values['cycle-profile'] : undefined);
}

log('reading GET /metrics');
const app = createApp({ store, defaults, registerToken: null, targetPolicy: ANY_TARGET, logger: pino({ level: 'silent' }) });
const metricsTimes: number[] = [];
let metricsBytes = 0;
for (let i = 0; i < metricsReads; i++) {
  const start = performance.now();
  const body = await (await app.request('/metrics')).text();
  metricsTimes.push(performance.now() - start);
  metricsBytes = body.length;
}
metricsTimes.sort((a, b) => a - b);

clearInterval(rssSampler);
await store.close();
await prober.close();
farm.stop();

const results = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memory_gib: round(totalmem() / 2 ** 30), node: process.version },
  services,
  max_concurrency: concurrency,
  cycle_ms: round(durationMs),
  probes_applied: applied,
  probes_per_sec: Math.round((applied / durationMs) * 1000),
  main_thread_elu_during_cycle: round(first.elu, 3),
  monitor_cpu_us_per_probe: first.cpuUsPerProbe,
  ...(steady === null
    ? {}
    : {
        steady_cycle_ms: round(steady.durationMs),
        steady_probes_per_sec: Math.round((steady.applied / steady.durationMs) * 1000),
        steady_main_thread_elu: round(steady.elu, 3),
        steady_monitor_cpu_us_per_probe: steady.cpuUsPerProbe,
      }),
  store_registrations_per_sec: Math.round((services / registerMs) * 1000),
  metrics_json_ms_p50: round(percentile(metricsTimes, 0.5)),
  metrics_json_ms_p99: round(percentile(metricsTimes, 0.99)),
  metrics_json_bytes: metricsBytes,
  peak_rss_mb: Math.round(peakRss / 2 ** 20),
};
mkdirSync(new URL('.', `file://${values.out}`), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);

const rows: [string, string][] = [
  ['services', String(services)],
  ['max concurrency', String(concurrency)],
  ['full cycle', `${results.cycle_ms} ms`],
  ['probes per second', String(results.probes_per_sec)],
  ['main-thread event-loop utilisation during the cycle', `${Math.round(results.main_thread_elu_during_cycle * 100)}%`],
  ['monitor CPU per probe (all threads)', `${results.monitor_cpu_us_per_probe} µs`],
  ['store registrations per second (in memory)', String(results.store_registrations_per_sec)],
  ['GET /metrics JSON p50 / p99', `${results.metrics_json_ms_p50} / ${results.metrics_json_ms_p99} ms (${Math.round(metricsBytes / 1024)} KiB)`],
  ...(steady === null
    ? []
    : ([
        ['later cycle: probes per second', String(results.steady_probes_per_sec)],
        ['later cycle: main-thread event-loop utilisation', `${Math.round(steady.elu * 100)}%`],
        ['later cycle: monitor CPU per probe', `${steady.cpuUsPerProbe} µs`],
      ] satisfies [string, string][])),
  ['peak RSS (monitor side)', `${results.peak_rss_mb} MB`],
];
const width = Math.max(...rows.map(([name]) => name.length));
process.stdout.write(`\n${rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n')}\n\nwritten to ${values.out}\n`);
