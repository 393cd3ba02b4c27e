// The summary printed at the end of a soak: memory and cycles over time (a dozen rows spread over the
// run), then the totals and the verdict.
import type { SoakResults, SoakSample } from './results.js';

const ROWS = 12;

const cell = (value: number | null, digits = 0): string =>
  value === null
    ? '–'
    : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** At most ROWS samples, evenly spread, always with the first and the last. */
export function spreadSamples(samples: readonly SoakSample[]): SoakSample[] {
  if (samples.length <= ROWS) return [...samples];
  const picked = new Set<number>();
  for (let row = 0; row < ROWS; row++) picked.add(Math.round((row * (samples.length - 1)) / (ROWS - 1)));
  return [...picked].sort((a, b) => a - b).flatMap((index) => samples[index] ?? []);
}

function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return rows.map((row) => `  ${row.map((value, column) => value.padStart(widths[column] ?? 0)).join('  ')}`);
}

export function renderSoakTable(results: SoakResults): string {
  const { machine, settings, summary, growth } = results;
  const header = [
    't (s)',
    'RSS MB',
    'heap MB',
    'services',
    'cycle ms',
    'lag p99 ms',
    'cycles',
    'churn ok',
    'failed',
    'JSON ms',
    'prom ms',
    'prom KiB',
  ];
  const rows = spreadSamples(results.samples).map((sample) => [
    cell(sample.t_sec),
    cell(sample.rss_mb, 1),
    cell(sample.heap_used_mb, 1),
    cell(sample.services),
    cell(sample.last_cycle_ms),
    cell(sample.schedule_lag_ms_p99),
    cell(sample.cycles_seen),
    cell(sample.churn_ok),
    cell(sample.churn_failed),
    cell(sample.metrics_json_ms_p50, 1),
    cell(sample.metrics_prometheus_ms_p50, 1),
    cell(sample.metrics_prometheus_kib),
  ]);
  const { churn, metrics, cycles } = summary;
  return [
    `health-monitor soak, ${results.at}: ${machine.cpus} × ${machine.cpu}, ${machine.memory_gib} GiB, Node ${machine.node}, ${machine.os}`,
    `${settings.durationSec} s, ${settings.services.toLocaleString('en-US')} services (${Object.entries(results.mix)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${n} ${kind}`)
      .join(
        ', ',
      )}), churn ${settings.churnPerSec}/s, poll every ${settings.pollIntervalSec} s, MAX_CONCURRENCY ${settings.maxConcurrency}`,
    '',
    ...columns([header, ...rows]),
    '',
    `  RSS: first ${cell(summary.rss_mb.first, 1)} MB, max ${cell(summary.rss_mb.max, 1)} MB, last ${cell(summary.rss_mb.last, 1)} MB; heap last ${cell(summary.heap_used_mb.last, 1)} MB`,
    `  cycles seen: ${cycles.seen}, duration p50 ${cell(cycles.duration_ms_p50)} ms, max ${cell(cycles.duration_ms_max)} ms; schedule lag p99 at worst ${cell(cycles.schedule_lag_ms_p99_max)} ms`,
    `  churn: ${churn.registrationsOk} registered, ${churn.deletionsOk} deleted, ${churn.registrationsFailed + churn.deletionsFailed} failed (${churn.serverErrors} 5xx), ${churn.unanswered} unanswered`,
    `  /metrics: JSON ${metrics.json.reads} reads, p50 ${cell(metrics.json.ms_p50, 1)} ms, p99 ${cell(metrics.json.ms_p99, 1)} ms; ` +
      `Prometheus ${metrics.prometheus.reads} reads, p50 ${cell(metrics.prometheus.ms_p50, 1)} ms, p99 ${cell(metrics.prometheus.ms_p99, 1)} ms; ${metrics.failed} failed`,
    `  monitor log: ${summary.monitor_errors.count} errors; shutdown: ${summary.monitor_exit ?? 'not stopped'}`,
    `  ${growth.reason}`,
    '',
    results.passed ? 'soak PASSED' : `soak FAILED:\n${results.failures.map((failure) => `  - ${failure}`).join('\n')}`,
  ].join('\n');
}
