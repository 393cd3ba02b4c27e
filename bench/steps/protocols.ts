// Probes per second per protocol on the same machine, measured the same way: for HTTP, TCP and gRPC in
// turn, a fresh monitor probes N targets of that protocol every second, and the step reads the
// monitor's own health_monitor_probes_total at both ends of a window (docs/benchmarks.md, "Probes per protocol").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApiClient, registerMany } from '../lib/api-client.js';
import { startMonitor, type MonitorProcess } from '../lib/monitor-process.js';
import { counterSamples } from '../lib/prometheus-counter.js';
import { startProtocolTargets } from '../lib/start-protocol-targets.js';
import { MIB } from '../lib/stats.js';
import { sleep } from '../lib/time.js';
import { startFarm } from '../start-farm.js';

export const PROTOCOLS = ['http', 'tcp', 'grpc'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const PROTOCOL_NAMES: Record<Protocol, string> = { http: 'HTTP', grpc: 'gRPC', tcp: 'TCP' };

/** The shortest interval the API accepts: N services ask for N probes a second. */
const INTERVAL_SEC = 1;
/** The gRPC and TCP targets' listening ports, shared by the N services round-robin. */
const TARGET_PORTS = 4;
/** Below this share of answered probes the targets, not the monitor, are what was measured. */
const LEAST_ANSWERED = 0.9;
const PROBES_TOTAL = 'health_monitor_probes_total';
/** A window's edges cut cycles in two: within 2% of the demand is keeping up with it. */
const KEPT_UP = 0.98;

export interface ProtocolsOptions {
  readonly dir: string;
  /** Targets per protocol, each its own registration. */
  readonly services: number;
  readonly lanes: number;
  /** After the last registration, before the window. */
  readonly warmUpMs: number;
  readonly windowMs: number;
  readonly onProgress: (message: string) => void;
}

export interface ProtocolPhase {
  /** What N services every second ask for: the probe rate cannot exceed it. */
  readonly demandPerSec: number;
  /** The monitor's probe results over the window, every outcome counted. */
  readonly probesPerSec: number;
  /** The monitor process's CPU time, all threads, over the window ÷ its probe results. */
  readonly cpuUsPerProbe: number;
  /** VmHWM at the end of the window: registrations, warm-up and window. */
  readonly peakRssBytes: number;
  /** Share of those results with outcome `answered`. */
  readonly answeredShare: number;
  /** What the targets saw in the same window, per second: HTTP answers, TCP accepts, gRPC OK statuses. */
  readonly targetAnsweredPerSec: number;
}

export type ProtocolsFigures = Record<Protocol, ProtocolPhase>;

/** CPU time (ms) of the whole process, every thread, from /proc (utime + stime, 100 ticks a second). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Targets {
  /** The URL the i-th service registers. */
  url(i: number): string;
  /** Probes answered so far, counted by the targets themselves. */
  answered(): Promise<number>;
  exitStatus(): string | null;
  stop(): Promise<void>;
}

/** Each protocol's targets in a process of their own, as the other steps run their farms. */
async function startTargets(protocol: Protocol): Promise<Targets> {
  if (protocol === 'http') {
    const farm = await startFarm(0);
    return {
      url: (i) => `${farm.url}/s/${i}`,
      answered: () => farm.served(),
      exitStatus: () => farm.exitStatus(),
      stop: () => farm.stop(),
    };
  }
  const targets = await startProtocolTargets(protocol, TARGET_PORTS);
  return {
    url: (i) => targets.urls[i % targets.urls.length] ?? '',
    answered: async () => (await targets.stats()).answered,
    exitStatus: () => targets.exitStatus(),
    stop: () => targets.stop(),
  };
}

interface ProbeCount {
  readonly total: number;
  readonly answered: number;
  /** By outcome, and by protocol where the monitor labels the counter with one. */
  readonly byLabels: Map<string, number>;
}

/** health_monitor_probes_total from the Prometheus exposition, summed over every label set. */
async function probeCount(client: ApiClient): Promise<ProbeCount> {
  const answer = await client.timedGetText('/metrics?format=prometheus');
  if (answer.status !== 200) throw new Error(`GET /metrics?format=prometheus answered ${answer.status}`);
  const samples = counterSamples(answer.text, PROBES_TOTAL);
  if (samples.length === 0) throw new Error(`the monitor's exposition has no ${PROBES_TOTAL}`);
  const byLabels = new Map<string, number>();
  let total = 0;
  let answered = 0;
  for (const { labels, value } of samples) {
    total += value;
    if (labels['outcome'] === 'answered') answered += value;
    const key = [labels['protocol'], labels['outcome']].filter((part) => part !== undefined).join(' ');
    byLabels.set(key, (byLabels.get(key) ?? 0) + value);
  }
  return { total, answered, byLabels };
}

async function measurePhase(protocol: Protocol, options: ProtocolsOptions): Promise<ProtocolPhase> {
  const { services, onProgress } = options;
  const name = PROTOCOL_NAMES[protocol];
  const targets = await startTargets(protocol);
  let monitor: MonitorProcess | null = null;
  const clients: ApiClient[] = [];
  try {
    monitor = await startMonitor({ dbPath: join(options.dir, `protocols-${protocol}.db`), logDir: options.dir });
    const api = new ApiClient(monitor.url, options.lanes);
    const scraper = new ApiClient(monitor.url, 1);
    clients.push(api, scraper);
    await registerMany(api, services, options.lanes, (i) => ({
      id: `${protocol}-${String(i).padStart(6, '0')}`,
      url: targets.url(i),
      poll_interval_sec: INTERVAL_SEC,
      // A probe may not outlast its interval; the default timeout (2 s) is refused at 1 s.
      timeout_ms: INTERVAL_SEC * 1000,
    }));
    await sleep(options.warmUpMs);

    const before = await probeCount(scraper);
    const targetBefore = await targets.answered();
    const cpuBefore = processCpuMs(monitor.pid);
    const started = performance.now();
    await sleep(options.windowMs);
    // The CPU is read before the closing scrape, so the window is not charged for rendering it.
    const cpuMs = processCpuMs(monitor.pid) - cpuBefore;
    const after = await probeCount(scraper);
    const ms = performance.now() - started;
    const targetAnswered = (await targets.answered()) - targetBefore;

    const exit = monitor.exitStatus() ?? targets.exitStatus();
    if (exit !== null)
      throw new Error(`${name}: the monitor or its targets ended under load (${exit}); ${monitor.logPath}`);
    const probes = after.total - before.total;
    if (probes <= 0) throw new Error(`${name}: the monitor counted no probe result in ${Math.round(ms)} ms`);
    const answeredShare = (after.answered - before.answered) / probes;
    const outcomes = [...after.byLabels]
      .map(([labels, value]) => [labels, value - (before.byLabels.get(labels) ?? 0)] as const)
      .filter(([, value]) => value > 0)
      .map(([labels, value]) => `${labels} ${value}`)
      .join(', ');
    if (answeredShare < LEAST_ANSWERED)
      throw new Error(
        `${name}: only ${(answeredShare * 100).toFixed(1)}% of probes were answered (${outcomes}); ${monitor.logPath}`,
      );

    const phase: ProtocolPhase = {
      demandPerSec: services / INTERVAL_SEC,
      probesPerSec: (probes / ms) * 1000,
      cpuUsPerProbe: (cpuMs * 1000) / probes,
      peakRssBytes: monitor.peakRssBytes(),
      answeredShare,
      targetAnsweredPerSec: (targetAnswered / ms) * 1000,
    };
    onProgress(
      `    ${name}: ${Math.round(phase.probesPerSec)} probes/s (the targets saw ${Math.round(phase.targetAnsweredPerSec)}/s; ${outcomes}), ` +
        `monitor CPU ${phase.cpuUsPerProbe.toFixed(0)} µs per probe (${((cpuMs / ms) * 100).toFixed(0)}% of one core), ` +
        `peak RSS ${Math.round(phase.peakRssBytes / MIB)} MB`,
    );
    onProgress(
      phase.probesPerSec >= phase.demandPerSec * KEPT_UP
        ? `    note: ${name} kept up with the demand of ${phase.demandPerSec}/s: its capacity is at least that`
        : `    note: ${name} fell short of the demand of ${phase.demandPerSec}/s: that rate is what the monitor carried`,
    );
    return phase;
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await monitor?.stop();
    await targets.stop();
  }
}

/** The phases one after another, each with its own targets and monitor, so none shares the cores. */
export async function measureProtocols(options: ProtocolsOptions): Promise<ProtocolsFigures> {
  const figures: Partial<ProtocolsFigures> = {};
  for (const protocol of PROTOCOLS) {
    options.onProgress(
      `  ${PROTOCOL_NAMES[protocol]}: ${options.services} targets every ${INTERVAL_SEC} s; ` +
        `${options.warmUpMs / 1000} s to settle, then ${options.windowMs / 1000} s counted`,
    );
    figures[protocol] = await measurePhase(protocol, options);
  }
  return figures as ProtocolsFigures;
}
