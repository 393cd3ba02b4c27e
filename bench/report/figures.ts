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
  readonly loadServices: number;
  /** Targets of each protocol in the protocols step. */
  readonly protocolServices: number;
}

/** The bench's steps, in the order they run; each figure belongs to one. */
export const STEPS = ['registry', 'schedule', 'large', 'day', 'load', 'protocols'] as const;

export type StepName = (typeof STEPS)[number];

/** `ratio` is shown as a percentage; `MB` is 2^20 bytes; `us` is microseconds. */
export type Unit = 'per_sec' | 'ms' | 'us' | 'MB' | 'ratio' | 'count' | 'bytes';

export interface Target {
  readonly op: '>=' | '<=';
  readonly value: number;
}

export interface FigureSpec {
  readonly step: StepName;
  readonly section: string;
  readonly label: (sizes: Sizes) => string;
  readonly unit: Unit;
  /** `positive`: zero would mean nothing was measured. */
  readonly sign: 'positive' | 'non-negative';
  readonly target?: Target;
}

const n = (value: number): string => value.toLocaleString('en-US');

/** 5 probes in flight at 5 ms each carry at most the 1,000/s the schedule step asks for: measured again with room. */
export const SCHEDULE_WIDE_CONCURRENCY = 10;

const THROUGHPUT = 'probe throughput: the first full cycle (every service changes state)';
const STEADY = 'probe throughput: a steady-state full cycle (the same services again, no state changes)';
const MEMORY = 'memory';
const METRICS = 'GET /metrics (no cycle running)';
const SCHEDULE = 'schedule accuracy';
const PERSISTENCE = 'persistence';
const LOAD = 'steady load: every service probed every second, the farm in its own process';
const PROTOCOLS =
  'probes per protocol: one monitor per protocol, each target probed every second, the targets in their own process';

export const FIGURES = {
  full_cycle_ms: {
    step: 'registry',
    section: THROUGHPUT,
    label: (s) => `full cycle of ${n(s.services)} services`,
    unit: 'ms',
    sign: 'positive',
  },
  probes_per_sec: {
    step: 'registry',
    section: THROUGHPUT,
    label: () => 'probes per second over that cycle',
    unit: 'per_sec',
    sign: 'positive',
  },
  raw_limit_per_sec: {
    step: 'registry',
    section: THROUGHPUT,
    label: (s) => `raw limit: autocannon, ${s.rawConnections} connections, same target`,
    unit: 'per_sec',
    sign: 'positive',
  },
  probes_to_raw_limit: {
    step: 'registry',
    section: THROUGHPUT,
    label: () => 'probes per second / raw limit',
    unit: 'ratio',
    sign: 'positive',
    target: { op: '>=', value: 0.3 },
  },
  event_loop_utilization: {
    step: 'registry',
    section: THROUGHPUT,
    label: () => 'API thread event-loop utilisation during the cycle',
    unit: 'ratio',
    sign: 'non-negative',
    target: { op: '<=', value: 0.15 },
  },
  service_read_ms_p50: {
    step: 'registry',
    section: THROUGHPUT,
    label: () => 'GET /services/:id during the cycle, p50',
    unit: 'ms',
    sign: 'positive',
  },
  service_read_ms_p99: {
    step: 'registry',
    section: THROUGHPUT,
    label: () => 'GET /services/:id during the cycle, p99',
    unit: 'ms',
    sign: 'positive',
    target: { op: '<=', value: 10 },
  },
  service_reads: {
    step: 'registry',
    section: THROUGHPUT,
    label: () => 'GET /services/:id requests measured',
    unit: 'count',
    sign: 'positive',
  },
  steady_cycle_ms: {
    step: 'registry',
    section: STEADY,
    label: (s) => `full cycle of ${n(s.services)} services`,
    unit: 'ms',
    sign: 'positive',
  },
  steady_probes_per_sec: {
    step: 'registry',
    section: STEADY,
    label: () => 'probes per second over that cycle',
    unit: 'per_sec',
    sign: 'positive',
  },
  steady_probes_to_raw_limit: {
    step: 'registry',
    section: STEADY,
    label: () => 'probes per second / raw limit',
    unit: 'ratio',
    sign: 'positive',
    target: { op: '>=', value: 0.3 },
  },
  steady_event_loop_utilization: {
    step: 'registry',
    section: STEADY,
    label: () => 'API thread event-loop utilisation during the cycle',
    unit: 'ratio',
    sign: 'non-negative',
    target: { op: '<=', value: 0.15 },
  },
  steady_service_read_ms_p50: {
    step: 'registry',
    section: STEADY,
    label: () => 'GET /services/:id during the cycle, p50',
    unit: 'ms',
    sign: 'positive',
  },
  steady_service_read_ms_p99: {
    step: 'registry',
    section: STEADY,
    label: () => 'GET /services/:id during the cycle, p99',
    unit: 'ms',
    sign: 'positive',
    target: { op: '<=', value: 10 },
  },
  steady_service_reads: {
    step: 'registry',
    section: STEADY,
    label: () => 'GET /services/:id requests measured',
    unit: 'count',
    sign: 'positive',
  },
  peak_rss_mb: {
    step: 'registry',
    section: MEMORY,
    label: (s) => `peak RSS, ${n(s.services)} services registered through the API`,
    unit: 'MB',
    sign: 'positive',
    target: { op: '<=', value: 150 },
  },
  peak_rss_mb_large: {
    step: 'large',
    section: MEMORY,
    label: (s) => `peak RSS, ${n(s.largeServices)} services loaded and probed`,
    unit: 'MB',
    sign: 'positive',
    target: { op: '<=', value: 600 },
  },
  large_registry_load_ms: {
    step: 'large',
    section: MEMORY,
    label: (s) => `registry load of ${n(s.largeServices)} services at start`,
    unit: 'ms',
    sign: 'non-negative',
  },
  large_registry_probed: {
    step: 'large',
    section: MEMORY,
    label: () => 'probes answered before that sample',
    unit: 'count',
    sign: 'positive',
  },
  metrics_json_ms_p50: {
    step: 'registry',
    section: METRICS,
    label: (s) => `JSON, ${n(s.services)} services, median`,
    unit: 'ms',
    sign: 'positive',
    target: { op: '<=', value: 15 },
  },
  metrics_json_ms_p95: { step: 'registry', section: METRICS, label: () => 'JSON, p95', unit: 'ms', sign: 'positive' },
  metrics_json_bytes: {
    step: 'registry',
    section: METRICS,
    label: () => 'JSON body size',
    unit: 'bytes',
    sign: 'positive',
  },
  metrics_prometheus_ms_p50: {
    step: 'registry',
    section: METRICS,
    label: (s) => `Prometheus text, ${n(s.services)} services, median`,
    unit: 'ms',
    sign: 'positive',
  },
  metrics_prometheus_ms_p95: {
    step: 'registry',
    section: METRICS,
    label: () => 'Prometheus text, p95',
    unit: 'ms',
    sign: 'positive',
  },
  metrics_prometheus_bytes: {
    step: 'registry',
    section: METRICS,
    label: () => 'Prometheus body size',
    unit: 'bytes',
    sign: 'positive',
  },
  schedule_lag_ms_p50: {
    step: 'schedule',
    section: SCHEDULE,
    label: (s) =>
      `lag, ${n(s.scheduleServices)} services every ${s.scheduleIntervalSec} s, target ${s.scheduleLatencyMs} ms away, p50`,
    unit: 'ms',
    sign: 'non-negative',
  },
  schedule_lag_ms_p99: {
    step: 'schedule',
    section: SCHEDULE,
    label: () => 'lag, p99 (per probe)',
    unit: 'ms',
    sign: 'non-negative',
    target: { op: '<=', value: 100 },
  },
  schedule_raw_limit_per_sec: {
    step: 'schedule',
    section: SCHEDULE,
    label: (s) =>
      `what ${s.rawConnections} connections carry to that farm: autocannon, same run (demand: ${n(s.scheduleServices / s.scheduleIntervalSec)}/s)`,
    unit: 'per_sec',
    sign: 'positive',
  },
  schedule_cycles: {
    step: 'schedule',
    section: SCHEDULE,
    label: () => 'cycles observed',
    unit: 'count',
    sign: 'positive',
  },
  schedule_lag_ms_p50_wide: {
    step: 'schedule',
    section: SCHEDULE,
    label: (s) =>
      `the same with MAX_CONCURRENCY=${SCHEDULE_WIDE_CONCURRENCY} (capacity ${n((SCHEDULE_WIDE_CONCURRENCY * 1000) / s.scheduleLatencyMs)}/s), p50`,
    unit: 'ms',
    sign: 'non-negative',
  },
  schedule_lag_ms_p99_wide: {
    step: 'schedule',
    section: SCHEDULE,
    label: () => 'the same, p99 (per probe)',
    unit: 'ms',
    sign: 'non-negative',
  },
  registrations_per_sec: {
    step: 'registry',
    section: PERSISTENCE,
    label: () => 'registrations per second through the API, SQLite file, 64 at a time',
    unit: 'per_sec',
    sign: 'positive',
    target: { op: '>=', value: 5000 },
  },
  restore_ms: {
    step: 'registry',
    section: PERSISTENCE,
    label: (s) => `registry load of ${n(s.services)} services at restart`,
    unit: 'ms',
    sign: 'non-negative',
  },
  start_to_listening_ms: {
    step: 'registry',
    section: PERSISTENCE,
    label: () => 'process start to listening, with that registry',
    unit: 'ms',
    sign: 'positive',
  },
  day_database_mb: {
    step: 'day',
    section: PERSISTENCE,
    label: (s) => `database after one simulated day, ${n(s.daySimulationServices)} services`,
    unit: 'MB',
    sign: 'positive',
  },
  day_probe_results_per_sec: {
    step: 'day',
    section: PERSISTENCE,
    label: () => 'probe results written per second (that simulation)',
    unit: 'per_sec',
    sign: 'positive',
  },
  load_raw_limit_per_sec: {
    step: 'load',
    section: LOAD,
    label: (s) => `raw limit: autocannon, ${s.rawConnections} connections, same farm, before the monitor starts`,
    unit: 'per_sec',
    sign: 'positive',
  },
  load_probes_per_sec: {
    step: 'load',
    section: LOAD,
    label: (s) => `probes per second, ${n(s.loadServices)} services every 1 s, probing alone`,
    unit: 'per_sec',
    sign: 'positive',
  },
  load_probes_to_demand: {
    step: 'load',
    section: LOAD,
    label: (s) => `probes per second / demand (${n(s.loadServices)}/s)`,
    unit: 'ratio',
    sign: 'positive',
  },
  load_probes_to_raw_limit: {
    step: 'load',
    section: LOAD,
    label: () => 'probes per second / raw limit',
    unit: 'ratio',
    sign: 'positive',
    target: { op: '>=', value: 0.15 },
  },
  load_api_cpu_us_per_result: {
    step: 'load',
    section: LOAD,
    label: () => 'API-thread CPU per probe result, probing alone',
    unit: 'us',
    sign: 'positive',
    target: { op: '<=', value: 12 },
  },
  load_metrics_json_ms_p50: {
    step: 'load',
    section: LOAD,
    label: (s) => `GET /metrics JSON while probing, ${n(s.loadServices)} services, median`,
    unit: 'ms',
    sign: 'positive',
    target: { op: '<=', value: 10 },
  },
  load_metrics_json_ms_p95: {
    step: 'load',
    section: LOAD,
    label: () => 'GET /metrics JSON while probing, p95',
    unit: 'ms',
    sign: 'positive',
  },
  load_peak_rss_mb: {
    step: 'load',
    section: LOAD,
    label: (s) => `peak RSS, ${n(s.loadServices)} services probed every second`,
    unit: 'MB',
    sign: 'positive',
    target: { op: '<=', value: 150 },
  },
  protocols_http_probes_per_sec: {
    step: 'protocols',
    section: PROTOCOLS,
    label: (s) => `HTTP probes per second, ${n(s.protocolServices)} targets (demand ${n(s.protocolServices)}/s)`,
    unit: 'per_sec',
    sign: 'positive',
  },
  protocols_grpc_probes_per_sec: {
    step: 'protocols',
    section: PROTOCOLS,
    label: (s) => `gRPC probes per second, ${n(s.protocolServices)} targets (health service Check)`,
    unit: 'per_sec',
    sign: 'positive',
  },
  protocols_tcp_probes_per_sec: {
    step: 'protocols',
    section: PROTOCOLS,
    label: (s) => `TCP probes per second, ${n(s.protocolServices)} targets (connect only)`,
    unit: 'per_sec',
    sign: 'positive',
  },
  protocols_http_cpu_us_per_probe: {
    step: 'protocols',
    section: PROTOCOLS,
    label: () => 'HTTP: monitor CPU per probe, all threads',
    unit: 'us',
    sign: 'positive',
  },
  protocols_grpc_cpu_us_per_probe: {
    step: 'protocols',
    section: PROTOCOLS,
    label: () => 'gRPC: monitor CPU per probe, all threads',
    unit: 'us',
    sign: 'positive',
  },
  protocols_tcp_cpu_us_per_probe: {
    step: 'protocols',
    section: PROTOCOLS,
    label: () => 'TCP: monitor CPU per probe, all threads',
    unit: 'us',
    sign: 'positive',
  },
  protocols_http_peak_rss_mb: {
    step: 'protocols',
    section: PROTOCOLS,
    label: () => 'HTTP: monitor peak RSS',
    unit: 'MB',
    sign: 'positive',
  },
  protocols_grpc_peak_rss_mb: {
    step: 'protocols',
    section: PROTOCOLS,
    label: () => 'gRPC: monitor peak RSS',
    unit: 'MB',
    sign: 'positive',
  },
  protocols_tcp_peak_rss_mb: {
    step: 'protocols',
    section: PROTOCOLS,
    label: () => 'TCP: monitor peak RSS',
    unit: 'MB',
    sign: 'positive',
  },
} satisfies Record<string, FigureSpec>;

export type FigureKey = keyof typeof FIGURES;

export const FIGURE_KEYS = Object.keys(FIGURES) as FigureKey[];

/** The figures a step makes: reported as skipped when it does not run. */
export const figuresOf = (step: StepName): FigureKey[] => FIGURE_KEYS.filter((key) => FIGURES[key].step === step);
