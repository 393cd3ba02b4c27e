// `npm run bench`: every step with its own farm and monitor processes, each figure measured in the same
// run as its reference. docs/benchmarks.md says what each figure means and how it is measured.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HELP, parsePlan, UsageError, type Plan } from './options.js';
import { ApiClient } from './lib/api-client.js';
import { startMonitor } from './lib/monitor-process.js';
import { progress } from './lib/progress.js';
import { median, MIB, percentile } from './lib/stats.js';
import {
  FIGURES,
  figuresOf,
  SCHEDULE_WIDE_CONCURRENCY,
  STEPS,
  type FigureKey,
  type StepName,
} from './report/figures.js';
import { describeMachine } from './report/machine.js';
import { buildResults, resultProblems, type FigureResult } from './report/results.js';
import { renderTable } from './report/table.js';
import { startFarm } from './start-farm.js';
import { simulateDay } from './steps/day-simulation.js';
import { registerWhileHeld, runFullCycle, type FullCycle } from './steps/full-cycle.js';
import { clusterResults, measureCluster, type ClusterFigureKey } from './steps/cluster.js';
import { measureLargeRegistry } from './steps/large-registry.js';
import { measureStatusPage, statusPageResults, type StatusPageFigureKey } from './steps/status-page.js';
import { measureMetricsLatency } from './steps/metrics-latency.js';
import { measureProtocols } from './steps/protocols.js';
import { measureRawLimit } from './steps/raw-limit.js';
import { measureScheduleAccuracy, type ScheduleAccuracy } from './steps/schedule-accuracy.js';
import { measureSteadyLoad } from './steps/steady-load.js';

type Figures = Partial<Record<FigureKey, number | null>>;

/** Registration, the full cycle beside its raw limit, /metrics, peak RSS: one monitor on a database file. */
async function measureRegistry(plan: Plan, dir: string): Promise<Figures> {
  const { services, rawConnections } = plan.sizes;
  const farm = await startFarm(0);
  const dbPath = join(dir, 'registry.db');
  const monitor = await startMonitor({ dbPath, logDir: dir });
  const api = new ApiClient(monitor.url, plan.registrationLanes);
  const healthz = new ApiClient(monitor.url, 1);
  const reader = new ApiClient(monitor.url, 4);
  try {
    progress(
      `registering ${services} services through the API, ${plan.registrationLanes} at a time, while held probes take every probe slot`,
    );
    const { ids, registrationsPerSec } = await registerWhileHeld(
      api,
      farm,
      services,
      plan.registrationLanes,
      'bench-hold',
      DEFAULT_SLOTS,
    );
    progress(
      `  ${Math.round(registrationsPerSec)} registrations/s; monitor peak RSS ${Math.round(monitor.peakRssBytes() / MIB)} MB`,
    );

    progress(`raw limit: autocannon, ${rawConnections} connections, ${plan.rawDurationSec} s, against the same farm`);
    const raw = await measureRawLimit(`${farm.url}/s/1/health`, rawConnections, plan.rawDurationSec);
    progress(`  ${Math.round(raw.requestsPerSec)} requests/s`);

    progress(
      `releasing the held probes: the first round of all ${services} services, GET /services/:id every ${plan.readEveryMs} ms meanwhile`,
    );
    const cycleOptions = {
      monitorPid: monitor.pid,
      heldSlots: DEFAULT_SLOTS,
      reader,
      farm,
      ids,
      readEveryMs: plan.readEveryMs,
      timeoutMs: 120_000 + services * 10,
    };
    const cycle = await runFullCycle(cycleOptions);
    progress(`  ${describeCycle(cycle)}; peak RSS ${Math.round(monitor.peakRssBytes() / MIB)} MB`);

    progress(`GET /metrics, JSON then Prometheus, ${plan.metricsRequests} requests each`);
    const metrics = await measureMetricsLatency(healthz, plan.metricsRequests);
    progress(
      `  JSON median ${metrics.json.medianMs.toFixed(1)} ms, Prometheus median ${metrics.prometheus.medianMs.toFixed(1)} ms`,
    );

    progress(`registering the ${services} services again, unchanged, while held probes take every slot again`);
    await registerWhileHeld(api, farm, services, plan.registrationLanes, 'bench-hold-again', DEFAULT_SLOTS);
    progress(
      `releasing them: the steady-state round (no state changes), GET /services/:id every ${plan.readEveryMs} ms meanwhile`,
    );
    const steady = await runFullCycle(cycleOptions);
    progress(`  ${describeCycle(steady)}`);
    const peakRss = monitor.peakRssBytes();
    progress(`  peak RSS ${Math.round(peakRss / MIB)} MB`);

    const readMs = cycle.reads.map((read) => read.ms);
    const steadyReadMs = steady.reads.map((read) => read.ms);
    return {
      registrations_per_sec: registrationsPerSec,
      raw_limit_per_sec: raw.requestsPerSec,
      full_cycle_ms: cycle.durationMs,
      probes_per_sec: cycle.probesPerSec,
      probes_to_raw_limit: cycle.probesPerSec / raw.requestsPerSec,
      event_loop_utilization: cycle.eventLoopUtilization,
      service_read_ms_p50: median(readMs),
      service_read_ms_p99: percentile(readMs, 0.99),
      service_reads: readMs.length,
      steady_cycle_ms: steady.durationMs,
      steady_probes_per_sec: steady.probesPerSec,
      steady_probes_to_raw_limit: steady.probesPerSec / raw.requestsPerSec,
      steady_event_loop_utilization: steady.eventLoopUtilization,
      steady_service_read_ms_p50: median(steadyReadMs),
      steady_service_read_ms_p99: percentile(steadyReadMs, 0.99),
      steady_service_reads: steadyReadMs.length,
      metrics_json_ms_p50: metrics.json.medianMs,
      metrics_json_ms_p95: metrics.json.p95Ms,
      metrics_json_bytes: metrics.json.bytes,
      metrics_prometheus_ms_p50: metrics.prometheus.medianMs,
      metrics_prometheus_ms_p95: metrics.prometheus.p95Ms,
      metrics_prometheus_bytes: metrics.prometheus.bytes,
      peak_rss_mb: peakRss / MIB,
    };
  } finally {
    await Promise.all([api.close(), healthz.close(), reader.close()]);
    await monitor.stop();
    await farm.stop();
  }
}

function describeCycle(cycle: FullCycle): string {
  const readMs = cycle.reads.map((read) => read.ms);
  return (
    `${cycle.durationMs} ms, ${Math.round(cycle.probesPerSec)} probes/s, ELU ${(cycle.eventLoopUtilization * 100).toFixed(1)}%, ` +
    `GET /services/:id p50 ${median(readMs).toFixed(1)} ms p99 ${percentile(readMs, 0.99).toFixed(1)} ms (${readMs.length} reads)`
  );
}

/** The same database file, opened again: how long the registry takes to load. */
async function measureRestart(dir: string): Promise<Figures> {
  progress('restarting the monitor on that database file');
  const monitor = await startMonitor({ dbPath: join(dir, 'registry.db'), logDir: dir });
  await monitor.stop();
  progress(
    `  registry loaded in ${monitor.registryLoadMs} ms, listening after ${Math.round(monitor.startToListeningMs)} ms`,
  );
  return { restore_ms: monitor.registryLoadMs, start_to_listening_ms: monitor.startToListeningMs };
}

async function measureSchedule(plan: Plan, dir: string): Promise<Figures> {
  const atDefault = await measureScheduleAt(plan, dir, null);
  const wide = await measureScheduleAt(plan, dir, SCHEDULE_WIDE_CONCURRENCY);
  return {
    schedule_lag_ms_p50: atDefault.lagP50Ms,
    schedule_lag_ms_p99: atDefault.lagP99Ms,
    schedule_raw_limit_per_sec: atDefault.rawLimitPerSec,
    schedule_cycles: atDefault.cycles,
    schedule_lag_ms_p50_wide: wide.lagP50Ms,
    schedule_lag_ms_p99_wide: wide.lagP99Ms,
  };
}

/** MAX_CONCURRENCY as a user starts the monitor: the held probes of a round take this many slots. */
const DEFAULT_SLOTS = 5;

/** `maxConcurrency` null: the default, as a user starts it. */
async function measureScheduleAt(
  plan: Plan,
  dir: string,
  maxConcurrency: number | null,
): Promise<ScheduleAccuracy & { rawLimitPerSec: number }> {
  const { scheduleServices, scheduleIntervalSec, scheduleLatencyMs } = plan.sizes;
  const concurrency = maxConcurrency === null ? 'the default MAX_CONCURRENCY' : `MAX_CONCURRENCY=${maxConcurrency}`;
  progress(
    `schedule accuracy: ${scheduleServices} services every ${scheduleIntervalSec} s against a farm answering after ${scheduleLatencyMs} ms, ` +
      `${concurrency}, ${plan.scheduleWindowMs / 1000} s observed`,
  );
  const farm = await startFarm(scheduleLatencyMs, { recordArrivals: true });
  // What the lanes could carry at best: a plain load generator with as many connections as the monitor
  // has probes in flight by default, on a path the farm does not record.
  const raw = await measureRawLimit(`${farm.url}/raw/health`, plan.sizes.rawConnections, plan.rawDurationSec).catch(
    async (error: unknown) => {
      await farm.stop();
      throw error;
    },
  );
  progress(
    `  autocannon, ${plan.sizes.rawConnections} connections, against that farm: ${Math.round(raw.requestsPerSec)} requests/s`,
  );
  const extraArgs = maxConcurrency === null ? [] : ['--max-concurrency', String(maxConcurrency)];
  const monitor = await startMonitor({
    dbPath: join(dir, `schedule-${maxConcurrency ?? 'default'}.db`),
    logDir: dir,
    extraArgs,
  });
  const api = new ApiClient(monitor.url, 64);
  try {
    const accuracy = await measureScheduleAccuracy({
      api,
      farm,
      services: scheduleServices,
      intervalSec: scheduleIntervalSec,
      settleMs: plan.scheduleSettleMs,
      windowMs: plan.scheduleWindowMs,
    });
    progress(
      `  ${accuracy.probes} probes in ${accuracy.cycles} cycles of ${Math.round(accuracy.meanCycleSize)} services on average; lag p50 ${accuracy.lagP50Ms} ms, p99 ${accuracy.lagP99Ms} ms`,
    );
    return { ...accuracy, rawLimitPerSec: raw.requestsPerSec };
  } finally {
    await api.close();
    await monitor.stop();
    await farm.stop();
  }
}

async function measureLarge(plan: Plan, dir: string): Promise<Figures> {
  progress(`large registry: ${plan.sizes.largeServices} services, interval ${plan.largeIntervalSec} s`);
  const farm = await startFarm(0);
  try {
    const large = await measureLargeRegistry({
      farm,
      dir,
      services: plan.sizes.largeServices,
      intervalSec: plan.largeIntervalSec,
      capMs: plan.largeCapMs,
      onProgress: progress,
    });
    progress(
      `  peak RSS ${Math.round(large.peakRssBytes / MIB)} MB (${Math.round(large.rssAtSampleBytes / MIB)} MB resident at the sample) ` +
        `after ${large.probed} probes in ${(large.sampledAfterMs / 1000).toFixed(1)} s; registry loaded in ${large.registryLoadMs} ms`,
    );
    return {
      peak_rss_mb_large: large.peakRssBytes / MIB,
      large_registry_load_ms: large.registryLoadMs,
      large_registry_probed: large.probed,
    };
  } finally {
    await farm.stop();
  }
}

async function measureDay(plan: Plan, dir: string): Promise<Figures> {
  const services = plan.sizes.daySimulationServices;
  progress(`simulating a day: ${services} services, ${plan.dayProbesPerService} probes each, into a database file`);
  const day = await simulateDay(dir, services, plan.dayProbesPerService, progress);
  progress(`  ${(day.databaseBytes / MIB).toFixed(1)} MB, ${Math.round(day.probeResultsPerSec)} results/s`);
  return { day_database_mb: day.databaseBytes / MIB, day_probe_results_per_sec: day.probeResultsPerSec };
}

/** The four targets in one run: memory, API-thread CPU, /metrics while probing, probes/s. */
async function measureLoad(plan: Plan, dir: string): Promise<Figures> {
  const services = plan.sizes.loadServices;
  progress(
    `steady load: ${services} services probed every second; ${plan.loadWarmUpMs / 1000} s to settle, then ${plan.loadQuietMs / 1000} s ` +
      `probing alone and ${plan.loadScrapedMs / 1000} s with GET /metrics every ${plan.loadMetricsEveryMs} ms`,
  );
  const farm = await startFarm(0);
  try {
    const load = await measureSteadyLoad({
      farm,
      dir,
      services,
      registrationLanes: plan.registrationLanes,
      rawConnections: plan.sizes.rawConnections,
      rawDurationSec: plan.rawDurationSec,
      warmUpMs: plan.loadWarmUpMs,
      quietMs: plan.loadQuietMs,
      scrapedMs: plan.loadScrapedMs,
      metricsEveryMs: plan.loadMetricsEveryMs,
      onProgress: progress,
    });
    const ratio = load.probesPerSec / load.rawLimitPerSec;
    progress(
      `  peak RSS ${Math.round(load.peakRssBytes / MIB)} MB; probes/s ${(ratio * 100).toFixed(1)}% of the raw limit`,
    );
    const ceiling = load.demandPerSec / load.rawLimitPerSec;
    if (ceiling < FIGURES.load_probes_to_raw_limit.target.value) {
      progress(
        `  note: ${load.demandPerSec} probes/s of demand cap that ratio at ${(ceiling * 100).toFixed(1)}% against this raw limit, below its target`,
      );
    }
    return {
      load_raw_limit_per_sec: load.rawLimitPerSec,
      load_probes_per_sec: load.probesPerSec,
      load_probes_to_demand: load.probesPerSec / load.demandPerSec,
      load_probes_to_raw_limit: ratio,
      load_api_cpu_us_per_result: load.apiCpuUsPerResult,
      load_metrics_json_ms_p50: load.metricsJson.medianMs,
      load_metrics_json_ms_p95: load.metricsJson.p95Ms,
      load_peak_rss_mb: load.peakRssBytes / MIB,
    };
  } finally {
    await farm.stop();
  }
}

/** SQLite, then 1 and 2 replicas on PostgreSQL, against one farm; each setup starts and stops its own monitors. */
async function measureClusterStep(plan: Plan, dir: string): Promise<Record<ClusterFigureKey, FigureResult>> {
  progress(
    `cluster mode: ${plan.clusterServices} services every second on SQLite, on 1 and on 2 replicas on PostgreSQL; ` +
      `${plan.clusterWarmUpMs / 1000} s to settle, then ${plan.clusterProbeMs / 1000} s counted`,
  );
  const farm = await startFarm(0);
  try {
    const figures = await measureCluster({
      farm,
      dir,
      services: plan.clusterServices,
      lanes: plan.registrationLanes,
      warmUpMs: plan.clusterWarmUpMs,
      probeMs: plan.clusterProbeMs,
      onProgress: progress,
    });
    return clusterResults(figures, plan.clusterServices, plan.registrationLanes);
  } finally {
    await farm.stop();
  }
}

/** The status page at --services services in Chromium, against its own farm and monitor. */
async function measureStatusPageStep(plan: Plan, dir: string): Promise<Record<StatusPageFigureKey, FigureResult>> {
  const { services } = plan.sizes;
  progress(`status page: ${services} services, ${plan.statusPageLoads} loads of each page in Chromium`);
  const farm = await startFarm(0);
  try {
    const figures = await measureStatusPage({
      farm,
      dir,
      services,
      lanes: plan.registrationLanes,
      loads: plan.statusPageLoads,
      onProgress: progress,
    });
    progress(
      `  first paint ${Math.round(figures.firstPaintMs)} ms, usable ${Math.round(figures.usableMs)} ms, ` +
        `${Math.round(figures.htmlBytes / 1024)} KB of HTML, ` +
        `server ${Math.round(figures.coldServerMs)} ms first, ${Math.round(figures.serverMs)} ms cached`,
    );
    return statusPageResults(figures, services);
  } finally {
    await farm.stop();
  }
}

/** HTTP, TCP and gRPC targets in turn, each phase with its own targets and monitor. */
async function measureProtocolsStep(plan: Plan, dir: string): Promise<Figures> {
  progress(
    `probes per protocol: ${plan.sizes.protocolServices} targets of each, HTTP, then TCP, then gRPC, every second`,
  );
  const f = await measureProtocols({
    dir,
    services: plan.sizes.protocolServices,
    lanes: plan.registrationLanes,
    warmUpMs: plan.protocolWarmUpMs,
    windowMs: plan.protocolWindowMs,
    onProgress: progress,
  });
  return {
    protocols_http_probes_per_sec: f.http.probesPerSec,
    protocols_grpc_probes_per_sec: f.grpc.probesPerSec,
    protocols_tcp_probes_per_sec: f.tcp.probesPerSec,
    protocols_http_cpu_us_per_probe: f.http.cpuUsPerProbe,
    protocols_grpc_cpu_us_per_probe: f.grpc.cpuUsPerProbe,
    protocols_tcp_cpu_us_per_probe: f.tcp.cpuUsPerProbe,
    protocols_http_peak_rss_mb: f.http.peakRssBytes / MIB,
    protocols_grpc_peak_rss_mb: f.grpc.peakRssBytes / MIB,
    protocols_tcp_peak_rss_mb: f.tcp.peakRssBytes / MIB,
  };
}

/** Each step with its own farm and monitor; the restart reopens the registry step's database file. */
const STEP_RUNS: Record<StepName, (plan: Plan, dir: string) => Promise<Figures>> = {
  registry: async (plan, dir) => ({ ...(await measureRegistry(plan, dir)), ...(await measureRestart(dir)) }),
  schedule: measureSchedule,
  large: measureLarge,
  day: measureDay,
  load: measureLoad,
  protocols: measureProtocolsStep,
};

const skipped = (step: StepName): Figures => Object.fromEntries(figuresOf(step).map((key) => [key, null]));

async function main(): Promise<void> {
  const plan = parsePlan(process.argv.slice(2));
  if (plan === null) return void process.stdout.write(`${HELP}\n`);
  const machine = describeMachine();
  progress(
    `${machine.cpus} × ${machine.cpu}, ${machine.memory_gib} GiB, Node ${machine.node}${plan.quick ? ' (quick sizes)' : ''}`,
  );
  const startedAt = new Date();
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'health-monitor-bench-'));
  // Also on an interrupt, when the finally below never runs.
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  let figures: Figures = {};
  let named: Record<string, FigureResult> = {};
  try {
    // Steps run one after another: each has the two cores to itself, with its own farm and monitor.
    for (const step of STEPS)
      figures = { ...figures, ...(plan.steps.has(step) ? await STEP_RUNS[step](plan, dir) : skipped(step)) };
    if (plan.steps.has('cluster')) named = { ...named, ...(await measureClusterStep(plan, dir)) };
    if (plan.steps.has('status-page')) named = { ...named, ...(await measureStatusPageStep(plan, dir)) };
  } finally {
    removeDir();
  }
  const built = buildResults(figures as Record<FigureKey, number | null>, {
    at: startedAt,
    machine,
    sizes: plan.sizes,
    runSec: (performance.now() - started) / 1000,
  });
  // Only when they ran: they run only when named, and a default run's file and table stay as they were.
  const results = { ...built, figures: { ...built.figures, ...named } };
  mkdirSync(dirname(plan.out), { recursive: true });
  writeFileSync(plan.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderTable(results)}\nwritten to ${plan.out}\n`);
  const problems = resultProblems(results, { allowSkipped: true });
  if (problems.length > 0) throw new Error(`the results are not well formed:\n- ${problems.join('\n- ')}`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`bench: ${error.message}\n\n${HELP}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
