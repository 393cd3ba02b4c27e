// Schedule accuracy: how late each probe started after it was due, per probe from the farm's arrival
// times; the monitor's own per-cycle summaries on /healthz show how the probes grouped into cycles.
import { registerMany, type ApiClient } from '../lib/api-client.js';
import type { CycleView, Healthz } from '../lib/healthz.js';
import { percentile } from '../lib/stats.js';
import type { Farm } from '../start-farm.js';
import { lagsFromArrivals } from './schedule-lags.js';
import { sleep } from '../lib/time.js';

export interface ScheduleAccuracy {
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  /** Probes whose lag was measured. */
  readonly probes: number;
  readonly cycles: number;
  /** Mean services per cycle: how the probes grouped into cycles. */
  readonly meanCycleSize: number;
}

export interface ScheduleAccuracyOptions {
  readonly api: ApiClient;
  /** Started with `recordArrivals`. */
  readonly farm: Farm;
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
    url: `${options.farm.url}/s/${i}`,
    poll_interval_sec: options.intervalSec,
    // A probe may not outlast its interval; the default timeout (2 s) would be refused with a 1 s interval.
    timeout_ms: Math.min(2000, options.intervalSec * 1000),
  }));
  await sleep(options.settleMs);
  await options.farm.arrivals();
  const windowStart = Date.now();
  const cycles = new Map<string, CycleView>();
  while (Date.now() - windowStart < options.windowMs) {
    const { last_cycle: last } = await api.getJson<Healthz>('/healthz');
    if (last !== null && last.schedule_lag_ms !== null && Date.parse(last.started_at) >= windowStart)
      cycles.set(last.started_at, last);
    await sleep(25);
  }
  const lags = lagsFromArrivals(await options.farm.arrivals(), options.intervalSec * 1000);
  if (lags.length === 0)
    throw new Error(`no service was probed twice within the ${options.windowMs} ms of the schedule-accuracy window`);
  const seen = [...cycles.values()];
  return {
    lagP50Ms: Math.round(percentile(lags, 0.5)),
    lagP99Ms: Math.round(percentile(lags, 0.99)),
    probes: lags.length,
    cycles: seen.length,
    meanCycleSize: seen.length === 0 ? 0 : seen.reduce((sum, cycle) => sum + cycle.services, 0) / seen.length,
  };
}
