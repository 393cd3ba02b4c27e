// One sample of the soak: the monitor's memory from /proc, its last cycle from /healthz, the churn so far
// and the /metrics reads since the previous sample; and the progress line that shows it.
import type { MonitorProcess } from '../lib/monitor-process.js';
import { median, MIB } from '../lib/stats.js';
import type { Churn } from './churn.js';
import type { HealthzWatch } from './healthz-watch.js';
import type { MetricsFormat, MetricsRead } from './metrics-reader.js';
import type { SoakSample } from './results.js';

const round1 = (value: number): number => Math.round(value * 10) / 10;

export interface SampleSources {
  /** Epoch ms the churn started: sample times count from there. */
  readonly startedAt: number;
  readonly monitor: MonitorProcess;
  readonly healthz: HealthzWatch;
  readonly churn: Churn;
  readonly heapUsedMb: number | null;
}

/** `reads`: the /metrics reads since the previous sample. */
export function takeSample(sources: SampleSources, reads: readonly MetricsRead[]): SoakSample {
  const { monitor, healthz, churn } = sources;
  const ok = reads.filter((read) => read.status === 200);
  const ofFormat = (format: MetricsFormat): MetricsRead[] => ok.filter((read) => read.format === format);
  const medianMs = (format: MetricsFormat): number | null => {
    const ms = ofFormat(format).map((read) => read.ms);
    return ms.length === 0 ? null : round1(median(ms));
  };
  const lastKib = (format: MetricsFormat): number | null => {
    const last = ofFormat(format).at(-1);
    return last === undefined ? null : Math.round(last.bytes / 1024);
  };
  const latest = healthz.latest();
  const cycle = latest?.last_cycle ?? null;
  const counts = churn.counts();
  return {
    t_sec: round1((Date.now() - sources.startedAt) / 1000),
    rss_mb: round1(monitor.rssBytes() / MIB),
    heap_used_mb: sources.heapUsedMb === null ? null : round1(sources.heapUsedMb),
    services: latest?.services ?? null,
    last_cycle_ms: cycle?.duration_ms ?? null,
    last_cycle_services: cycle?.services ?? null,
    schedule_lag_ms_p99: cycle?.schedule_lag_ms?.p99 ?? null,
    cycles_seen: healthz.cycles().length,
    churn_ok: counts.registrationsOk + counts.deletionsOk,
    churn_failed: counts.registrationsFailed + counts.deletionsFailed,
    metrics_reads: reads.length,
    metrics_json_ms_p50: medianMs('json'),
    metrics_prometheus_ms_p50: medianMs('prometheus'),
    metrics_ms_max: ok.length === 0 ? null : Math.round(Math.max(...ok.map((read) => read.ms))),
    metrics_json_kib: lastKib('json'),
    metrics_prometheus_kib: lastKib('prometheus'),
  };
}

export function describeSample(sample: SoakSample): string {
  const shown = (value: number | null): string => (value === null ? '–' : String(value));
  return (
    `t=${sample.t_sec}s RSS ${sample.rss_mb} MB, heap ${shown(sample.heap_used_mb)} MB, ${shown(sample.services)} services, ` +
    `last cycle ${shown(sample.last_cycle_ms)} ms for ${shown(sample.last_cycle_services)} (lag p99 ${shown(sample.schedule_lag_ms_p99)} ms), ` +
    `${sample.cycles_seen} cycles; churn ok ${sample.churn_ok} failed ${sample.churn_failed}; ` +
    `/metrics p50 JSON ${shown(sample.metrics_json_ms_p50)} ms, Prometheus ${shown(sample.metrics_prometheus_ms_p50)} ms`
  );
}
