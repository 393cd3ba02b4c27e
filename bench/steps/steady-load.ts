// The monitor under steady load, every service probed every second: peak RSS, API-thread CPU per result,
// GET /metrics while probing, and probes/s beside the same farm's raw limit (docs/benchmarks.md, "Steady load").
import { join } from 'node:path';
import { ApiClient, registerMany } from '../lib/api-client.js';
import { mainThreadCpuMs, startMonitor } from '../lib/monitor-process.js';
import { median, MIB, percentile } from '../lib/stats.js';
import { sleep } from '../lib/time.js';
import type { Farm } from '../start-farm.js';
import { measureRawLimit } from './raw-limit.js';

/** Every second: the load of the targets. */
const INTERVAL_SEC = 1;
/** /metrics requests before the scraped part, not counted: the JIT and the connection warm up. */
const METRICS_WARM_UPS = 2;

export interface SteadyLoadOptions {
  readonly farm: Farm;
  readonly dir: string;
  readonly services: number;
  readonly registrationLanes: number;
  readonly rawConnections: number;
  readonly rawDurationSec: number;
  /** After the last registration, before anything is counted. */
  readonly warmUpMs: number;
  readonly quietMs: number;
  readonly scrapedMs: number;
  /** One GET /metrics this often in the scraped part, sequentially, over one kept-alive connection. */
  readonly metricsEveryMs: number;
  readonly onProgress: (message: string) => void;
}

export interface SteadyLoad {
  readonly rawLimitPerSec: number;
  /** VmHWM at the end of the window: the high-water mark since the monitor started. */
  readonly peakRssBytes: number;
  /** What N services every second ask for: the probe rate cannot exceed it. */
  readonly demandPerSec: number;
  /** Over the quiet part. */
  readonly probesPerSec: number;
  readonly apiCpuUsPerResult: number;
  /** GET /metrics (JSON) over the scraped part. */
  readonly metricsJson: {
    readonly medianMs: number;
    readonly p95Ms: number;
    readonly bytes: number;
    readonly requests: number;
  };
}

interface Span {
  readonly probes: number;
  readonly ms: number;
  readonly cpuMs: number;
}

/** The farm's answers and the API thread's CPU over `work`. */
async function span(farm: Farm, pid: number, work: () => Promise<void>): Promise<Span> {
  const servedBefore = await farm.served();
  const cpuBefore = mainThreadCpuMs(pid);
  const started = Date.now();
  await work();
  const ms = Date.now() - started;
  const cpuMs = mainThreadCpuMs(pid) - cpuBefore;
  const probes = (await farm.served()) - servedBefore;
  if (probes === 0) throw new Error(`the farm answered no probe in ${ms} ms of steady load`);
  return { probes, ms, cpuMs };
}

const perSec = (s: Span): number => (s.probes / s.ms) * 1000;
const cpuUsPerResult = (s: Span): number => (s.cpuMs * 1000) / s.probes;

/** Sequential GETs of /metrics, one every `everyMs` (or right after the previous one if it was slower). */
async function scrape(
  client: ApiClient,
  durationMs: number,
  everyMs: number,
): Promise<{ ms: number[]; bytes: number }> {
  const took: number[] = [];
  let bytes = 0;
  const started = Date.now();
  for (let next = started; next < started + durationMs; next += everyMs) {
    await sleep(Math.max(0, next - Date.now()));
    const answer = await client.timedGet('/metrics');
    if (answer.status !== 200) throw new Error(`GET /metrics answered ${answer.status} under load`);
    took.push(answer.ms);
    bytes = answer.bytes;
  }
  return { ms: took, bytes };
}

export async function measureSteadyLoad(options: SteadyLoadOptions): Promise<SteadyLoad> {
  const { farm, services, onProgress } = options;
  onProgress(
    `  raw limit first, before the monitor starts: autocannon, ${options.rawConnections} connections, ${options.rawDurationSec} s`,
  );
  const raw = await measureRawLimit(`${farm.url}/s/1/health`, options.rawConnections, options.rawDurationSec);
  onProgress(`  ${Math.round(raw.requestsPerSec)} requests/s`);

  const monitor = await startMonitor({ dbPath: join(options.dir, 'steady-load.db'), logDir: options.dir });
  const api = new ApiClient(monitor.url, options.registrationLanes);
  const scraper = new ApiClient(monitor.url, 1);
  try {
    onProgress(
      `  registering ${services} services every ${INTERVAL_SEC} s through the API, ${options.registrationLanes} at a time`,
    );
    await registerMany(api, services, options.registrationLanes, (i) => ({
      id: `load-${String(i).padStart(6, '0')}`,
      url: `${farm.url}/s/${i}`,
      attributes: { env: 'bench', team: `team-${i % 20}` },
      poll_interval_sec: INTERVAL_SEC,
      // A probe may not outlast its interval; the default timeout (2 s) is refused at 1 s.
      timeout_ms: INTERVAL_SEC * 1000,
    }));
    const hwm = (): string => `peak RSS so far ${Math.round(monitor.peakRssBytes() / MIB)} MB`;
    onProgress(`  warming up ${options.warmUpMs / 1000} s; ${hwm()}`);
    await sleep(options.warmUpMs);
    for (let i = 0; i < METRICS_WARM_UPS; i++) await scraper.timedGet('/metrics');

    onProgress(`  quiet part: ${options.quietMs / 1000} s of probing alone; ${hwm()}`);
    const quiet = await span(farm, monitor.pid, () => sleep(options.quietMs));
    onProgress(
      `    ${Math.round(perSec(quiet))} probes/s, API thread ${cpuUsPerResult(quiet).toFixed(1)} µs of CPU per result`,
    );

    onProgress(
      `  scraped part: ${options.scrapedMs / 1000} s with GET /metrics every ${options.metricsEveryMs} ms; ${hwm()}`,
    );
    let scrapes: { ms: number[]; bytes: number } = { ms: [], bytes: 0 };
    const scraped = await span(farm, monitor.pid, async () => {
      scrapes = await scrape(scraper, options.scrapedMs, options.metricsEveryMs);
    });
    const metricsJson = {
      medianMs: median(scrapes.ms),
      p95Ms: percentile(scrapes.ms, 0.95),
      bytes: scrapes.bytes,
      requests: scrapes.ms.length,
    };
    onProgress(
      `    JSON median ${metricsJson.medianMs.toFixed(1)} ms, p95 ${metricsJson.p95Ms.toFixed(1)} ms over ${metricsJson.requests} requests; ` +
        `${Math.round(perSec(scraped))} probes/s, API thread ${cpuUsPerResult(scraped).toFixed(1)} µs per result`,
    );
    const exit = monitor.exitStatus();
    if (exit !== null) throw new Error(`the monitor ended under load (${exit}); its log: ${monitor.logPath}`);
    const peakRssBytes = monitor.peakRssBytes();
    return {
      rawLimitPerSec: raw.requestsPerSec,
      demandPerSec: services / INTERVAL_SEC,
      peakRssBytes,
      probesPerSec: perSec(quiet),
      apiCpuUsPerResult: cpuUsPerResult(quiet),
      metricsJson,
    };
  } finally {
    await Promise.all([api.close(), scraper.close()]);
    await monitor.stop();
  }
}
