// Schedule accuracy: services with a short interval against a target with some latency; how late
// each probe started after it was due. The monitor measures that per cycle (start minus due, p50, p99,
// max over the cycle's probes) and shows the last cycle on /healthz; the bench polls /healthz often
// enough to see every cycle and collects them by their start time.
//
// Aggregated over the window: p50 is the median of the cycles' p50s, p99 the largest of their p99s
// (a per-probe p99 over the window cannot be rebuilt from per-cycle summaries; the worst cycle's p99
// is the conservative stand-in).
import { registerMany, type ApiClient } from '../lib/api-client.js';
import type { CycleView, Healthz } from '../lib/healthz.js';
import { median } from '../lib/stats.js';
import { sleep } from '../lib/time.js';

export interface ScheduleAccuracy {
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  readonly cycles: number;
  /** Mean services per cycle: how the probes grouped into cycles. */
  readonly meanCycleSize: number;
}

export interface ScheduleAccuracyOptions {
  readonly api: ApiClient;
  readonly farmUrl: string;
  readonly services: number;
  readonly intervalSec: number;
  /** Time after the last registration before cycles are counted: the registrations' own cycles settle. */
  readonly settleMs: number;
  readonly windowMs: number;
}

export async function measureScheduleAccuracy(options: ScheduleAccuracyOptions): Promise<ScheduleAccuracy> {
  const { api } = options;
  await registerMany(api, options.services, 64, (i) => ({
    id: `tick-${i}`,
    url: `${options.farmUrl}/s/${i}`,
    poll_interval_sec: options.intervalSec,
    // A probe may not outlast its interval; the default timeout (2 s) would be refused with a 1 s interval.
    timeout_ms: Math.min(2000, options.intervalSec * 1000),
  }));
  await sleep(options.settleMs);
  const windowStart = Date.now();
  const cycles = new Map<string, CycleView>();
  while (Date.now() - windowStart < options.windowMs) {
    const { last_cycle: last } = await api.getJson<Healthz>('/healthz');
    if (last !== null && last.schedule_lag_ms !== null && Date.parse(last.started_at) >= windowStart) cycles.set(last.started_at, last);
    await sleep(25);
  }
  const seen = [...cycles.values()];
  const lags = seen.flatMap((cycle) => (cycle.schedule_lag_ms === null ? [] : [cycle.schedule_lag_ms]));
  if (lags.length === 0) throw new Error(`no probing cycle ended within ${options.windowMs} ms of schedule-accuracy measurement`);
  return {
    lagP50Ms: median(lags.map((lag) => lag.p50)),
    lagP99Ms: Math.max(...lags.map((lag) => lag.p99)),
    cycles: seen.length,
    meanCycleSize: seen.reduce((sum, cycle) => sum + cycle.services, 0) / seen.length,
  };
}
