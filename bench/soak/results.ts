// The shape of bench/results/soak-latest.json and the summary built from the samples.
import type { CycleView } from '../lib/healthz.js';
import { median, percentile } from '../lib/stats.js';
import type { TargetKind } from '../farm/target-paths.js';
import type { Machine } from '../report/machine.js';
import type { ChurnCounts } from './churn.js';
import type { GrowthVerdict } from './growth.js';
import type { MetricsFormat, MetricsRead } from './metrics-reader.js';
import type { SoakPlan } from './options.js';

/** One look at the monitor, every --sample-sec. Figures the monitor had not produced yet are `null`. */
export interface SoakSample {
  /** Seconds since the churn started (the services were registered before). */
  readonly t_sec: number;
  /** VmRSS of the monitor process: main thread, probe threads and SQLite together. */
  readonly rss_mb: number;
  /** The main thread's V8 heap in use, from the last Prometheus read. */
  readonly heap_used_mb: number | null;
  readonly services: number | null;
  readonly last_cycle_ms: number | null;
  readonly last_cycle_services: number | null;
  readonly schedule_lag_ms_p99: number | null;
  /** Distinct cycles seen on /healthz so far. */
  readonly cycles_seen: number;
  /** Churn requests so far, answered as expected / not. */
  readonly churn_ok: number;
  readonly churn_failed: number;
  /** GET /metrics since the previous sample. */
  readonly metrics_reads: number;
  readonly metrics_json_ms_p50: number | null;
  readonly metrics_prometheus_ms_p50: number | null;
  readonly metrics_ms_max: number | null;
  /** Size of the last answer of each format in the window. */
  readonly metrics_json_kib: number | null;
  readonly metrics_prometheus_kib: number | null;
}

interface LatencySummary {
  readonly reads: number;
  readonly ms_p50: number | null;
  readonly ms_p99: number | null;
  readonly ms_max: number | null;
}

export interface SoakResults {
  readonly at: string;
  readonly machine: Machine;
  readonly settings: Omit<SoakPlan, 'out'> & { readonly monitor_args: readonly string[] };
  readonly mix: Readonly<Record<TargetKind, number>>;
  /** Seconds the base registrations took, before the churn began. */
  readonly registration_sec: number;
  readonly samples: readonly SoakSample[];
  readonly summary: {
    readonly rss_mb: { readonly first: number | null; readonly max: number | null; readonly last: number | null };
    readonly heap_used_mb: { readonly min: number | null; readonly max: number | null; readonly last: number | null };
    readonly cycles: {
      readonly seen: number;
      readonly duration_ms_p50: number | null;
      readonly duration_ms_max: number | null;
      readonly schedule_lag_ms_p99_max: number | null;
      readonly services_p50: number | null;
    };
    readonly churn: ChurnCounts & { readonly unanswered: number };
    readonly metrics: {
      readonly json: LatencySummary;
      readonly prometheus: LatencySummary;
      readonly failed: number;
      readonly server_errors: number;
    };
    readonly healthz: { readonly ok: number; readonly failed: number };
    /** Lines the monitor logged at level error or fatal, and the first few of them. */
    readonly monitor_errors: { readonly count: number; readonly first: readonly string[] };
    /** How the monitor ended when it was asked to stop: `exit code 0` for a clean shutdown. */
    readonly monitor_exit: string | null;
  };
  readonly growth: GrowthVerdict;
  readonly passed: boolean;
  /** One sentence per reason the soak failed; empty when it passed. */
  readonly failures: readonly string[];
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
const orNull = (value: number): number | null => (Number.isFinite(value) ? round1(value) : null);

export function latencySummary(reads: readonly MetricsRead[], format: MetricsFormat): LatencySummary {
  const ms = reads.filter((read) => read.format === format && read.status === 200).map((read) => read.ms);
  return {
    reads: ms.length,
    ms_p50: orNull(median(ms)),
    ms_p99: orNull(percentile(ms, 0.99)),
    ms_max: orNull(Math.max(...ms)),
  };
}

export function cycleSummary(cycles: readonly CycleView[]): SoakResults['summary']['cycles'] {
  const durations = cycles.map((cycle) => cycle.duration_ms);
  const lags = cycles.flatMap((cycle) => (cycle.schedule_lag_ms === null ? [] : [cycle.schedule_lag_ms.p99]));
  return {
    seen: cycles.length,
    duration_ms_p50: orNull(median(durations)),
    duration_ms_max: orNull(Math.max(...durations)),
    schedule_lag_ms_p99_max: orNull(Math.max(...lags)),
    services_p50: orNull(median(cycles.map((cycle) => cycle.services))),
  };
}

export function seriesSummary(values: readonly (number | null)[]): {
  min: number | null;
  max: number | null;
  first: number | null;
  last: number | null;
} {
  const known = values.filter((value): value is number => value !== null);
  return {
    min: orNull(Math.min(...known)),
    max: orNull(Math.max(...known)),
    first: known.length > 0 ? round1(known[0] ?? NaN) : null,
    last: known.length > 0 ? round1(known[known.length - 1] ?? NaN) : null,
  };
}
