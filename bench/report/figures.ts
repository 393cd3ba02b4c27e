// Every figure the bench reports: its key in latest.json, how it reads in the table, its unit, the
// sign it must have, and the target where there is one (reported, never asserted).

export interface Sizes {
  readonly services: number;
  readonly largeServices: number;
  readonly scheduleServices: number;
  readonly scheduleIntervalSec: number;
  readonly scheduleLatencyMs: number;
  readonly rawConnections: number;
  readonly daySimulationServices: number;
}

/** `ratio` is shown as a percentage; `MB` is 2^20 bytes. */
export type Unit = 'per_sec' | 'ms' | 'MB' | 'ratio' | 'count' | 'bytes';

export interface Target {
  readonly op: '>=' | '<=';
  readonly value: number;
}

export interface FigureSpec {
  readonly section: string;
  readonly label: (sizes: Sizes) => string;
  readonly unit: Unit;
  /** `positive`: zero would mean nothing was measured. */
  readonly sign: 'positive' | 'non-negative';
  readonly target?: Target;
}

const n = (value: number): string => value.toLocaleString('en-US');

/**
 * At the default 5 probes in flight and 5 ms per answer, the monitor can start at most 1,000 probes/s:
 * exactly what 1,000 services every second ask for, so any overhead at all makes probes queue. The
 * schedule is measured again with room to spare, to show the scheduler's own accuracy.
 */
export const SCHEDULE_WIDE_CONCURRENCY = 10;

const THROUGHPUT = 'probe throughput: the first full cycle (every service changes state)';
const STEADY = 'probe throughput: a steady-state full cycle (the same services again, no state changes)';
const MEMORY = 'memory';
const METRICS = 'GET /metrics (no cycle running)';
const SCHEDULE = 'schedule accuracy';
const PERSISTENCE = 'persistence';

export const FIGURES = {
  full_cycle_ms: { section: THROUGHPUT, label: (s) => `full cycle of ${n(s.services)} services`, unit: 'ms', sign: 'positive' },
  probes_per_sec: { section: THROUGHPUT, label: () => 'probes per second over that cycle', unit: 'per_sec', sign: 'positive' },
  raw_limit_per_sec: {
    section: THROUGHPUT,
    label: (s) => `raw limit: autocannon, ${s.rawConnections} connections, same target`,
    unit: 'per_sec',
    sign: 'positive',
  },
  probes_to_raw_limit: { section: THROUGHPUT, label: () => 'probes per second / raw limit', unit: 'ratio', sign: 'positive', target: { op: '>=', value: 0.3 } },
  event_loop_utilization: {
    section: THROUGHPUT,
    label: () => 'API thread event-loop utilisation during the cycle',
    unit: 'ratio',
    sign: 'non-negative',
    target: { op: '<=', value: 0.15 },
  },
  service_read_ms_p50: { section: THROUGHPUT, label: () => 'GET /services/:id during the cycle, p50', unit: 'ms', sign: 'positive' },
  service_read_ms_p99: { section: THROUGHPUT, label: () => 'GET /services/:id during the cycle, p99', unit: 'ms', sign: 'positive', target: { op: '<=', value: 10 } },
  service_reads: { section: THROUGHPUT, label: () => 'GET /services/:id requests measured', unit: 'count', sign: 'positive' },
  steady_cycle_ms: { section: STEADY, label: (s) => `full cycle of ${n(s.services)} services`, unit: 'ms', sign: 'positive' },
  steady_probes_per_sec: { section: STEADY, label: () => 'probes per second over that cycle', unit: 'per_sec', sign: 'positive' },
  steady_probes_to_raw_limit: { section: STEADY, label: () => 'probes per second / raw limit', unit: 'ratio', sign: 'positive', target: { op: '>=', value: 0.3 } },
  steady_event_loop_utilization: {
    section: STEADY,
    label: () => 'API thread event-loop utilisation during the cycle',
    unit: 'ratio',
    sign: 'non-negative',
    target: { op: '<=', value: 0.15 },
  },
  steady_service_read_ms_p50: { section: STEADY, label: () => 'GET /services/:id during the cycle, p50', unit: 'ms', sign: 'positive' },
  steady_service_read_ms_p99: { section: STEADY, label: () => 'GET /services/:id during the cycle, p99', unit: 'ms', sign: 'positive', target: { op: '<=', value: 10 } },
  steady_service_reads: { section: STEADY, label: () => 'GET /services/:id requests measured', unit: 'count', sign: 'positive' },
  peak_rss_mb: { section: MEMORY, label: (s) => `peak RSS, ${n(s.services)} services registered through the API`, unit: 'MB', sign: 'positive', target: { op: '<=', value: 150 } },
  peak_rss_mb_large: { section: MEMORY, label: (s) => `peak RSS, ${n(s.largeServices)} services loaded and probed`, unit: 'MB', sign: 'positive', target: { op: '<=', value: 600 } },
  large_registry_load_ms: { section: MEMORY, label: (s) => `registry load of ${n(s.largeServices)} services at start`, unit: 'ms', sign: 'non-negative' },
  large_registry_probed: { section: MEMORY, label: () => 'probes answered before that sample', unit: 'count', sign: 'positive' },
  metrics_json_ms_p50: { section: METRICS, label: (s) => `JSON, ${n(s.services)} services, median`, unit: 'ms', sign: 'positive', target: { op: '<=', value: 15 } },
  metrics_json_ms_p95: { section: METRICS, label: () => 'JSON, p95', unit: 'ms', sign: 'positive' },
  metrics_json_bytes: { section: METRICS, label: () => 'JSON body size', unit: 'bytes', sign: 'positive' },
  metrics_prometheus_ms_p50: { section: METRICS, label: (s) => `Prometheus text, ${n(s.services)} services, median`, unit: 'ms', sign: 'positive' },
  metrics_prometheus_ms_p95: { section: METRICS, label: () => 'Prometheus text, p95', unit: 'ms', sign: 'positive' },
  metrics_prometheus_bytes: { section: METRICS, label: () => 'Prometheus body size', unit: 'bytes', sign: 'positive' },
  schedule_lag_ms_p50: {
    section: SCHEDULE,
    label: (s) => `lag, ${n(s.scheduleServices)} services every ${s.scheduleIntervalSec} s, target ${s.scheduleLatencyMs} ms away, p50`,
    unit: 'ms',
    sign: 'non-negative',
  },
  schedule_lag_ms_p99: { section: SCHEDULE, label: () => 'lag, p99 (per probe)', unit: 'ms', sign: 'non-negative', target: { op: '<=', value: 100 } },
  schedule_raw_limit_per_sec: {
    section: SCHEDULE,
    label: (s) => `what ${s.rawConnections} connections carry to that farm: autocannon, same run (demand: ${n(s.scheduleServices / s.scheduleIntervalSec)}/s)`,
    unit: 'per_sec',
    sign: 'positive',
  },
  schedule_cycles: { section: SCHEDULE, label: () => 'cycles observed', unit: 'count', sign: 'positive' },
  schedule_lag_ms_p50_wide: {
    section: SCHEDULE,
    label: (s) => `the same with MAX_CONCURRENCY=${SCHEDULE_WIDE_CONCURRENCY} (capacity ${n((SCHEDULE_WIDE_CONCURRENCY * 1000) / s.scheduleLatencyMs)}/s), p50`,
    unit: 'ms',
    sign: 'non-negative',
  },
  schedule_lag_ms_p99_wide: { section: SCHEDULE, label: () => 'the same, p99 (per probe)', unit: 'ms', sign: 'non-negative' },
  registrations_per_sec: {
    section: PERSISTENCE,
    label: () => 'registrations per second through the API, SQLite file, 64 at a time',
    unit: 'per_sec',
    sign: 'positive',
    target: { op: '>=', value: 5000 },
  },
  restore_ms: { section: PERSISTENCE, label: (s) => `registry load of ${n(s.services)} services at restart`, unit: 'ms', sign: 'non-negative' },
  start_to_listening_ms: { section: PERSISTENCE, label: () => 'process start to listening, with that registry', unit: 'ms', sign: 'positive' },
  day_database_mb: { section: PERSISTENCE, label: (s) => `database after one simulated day, ${n(s.daySimulationServices)} services`, unit: 'MB', sign: 'positive' },
  day_probe_results_per_sec: { section: PERSISTENCE, label: () => 'probe results written per second (that simulation)', unit: 'per_sec', sign: 'positive' },
} satisfies Record<string, FigureSpec>;

export type FigureKey = keyof typeof FIGURES;

export const FIGURE_KEYS = Object.keys(FIGURES) as FigureKey[];

/** The figures --skip-100k and --skip-day leave out. */
export const LARGE_REGISTRY_FIGURES: readonly FigureKey[] = ['peak_rss_mb_large', 'large_registry_load_ms', 'large_registry_probed'];
export const DAY_SIMULATION_FIGURES: readonly FigureKey[] = ['day_database_mb', 'day_probe_results_per_sec'];
