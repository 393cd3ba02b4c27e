// The JSON shapes the API answers with, built from the store's frozen records at read time.
import type { ServiceRecord } from '../store/service-record.js';

export interface MetricsEntry {
  readonly service: string;
  readonly status: 'UP' | 'DOWN';
  readonly health: string;
  readonly ready: boolean;
  readonly last_checked: string | null;
  readonly last_checked_age_sec: number | null;
  readonly last_response_ms: number | null;
  readonly uptime_sec: number;
  readonly request_count: number;
  readonly error_count: number;
  readonly error_rate: number;
  readonly recent_error_rate: number | null;
  readonly attributes: Readonly<Record<string, string>>;
  readonly poll_interval_sec: number;
  readonly last_error: string | null;
}

export interface ServiceView {
  readonly id: string;
  readonly url: string;
  readonly health_path: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly poll_interval_sec: number;
  readonly timeout_ms: number;
  readonly failure_threshold: number;
  readonly success_threshold: number;
  readonly error_rate_threshold: number;
  readonly deregister_after_sec: number | null;
  readonly webhook_url: string | null;
  readonly registered_at: string;
  readonly health: string;
  readonly ready: boolean;
  readonly reason: string;
  readonly last_checked_at: string | null;
  readonly last_checked_age_sec: number | null;
  readonly last_response_ms: number | null;
  readonly last_error: string | null;
  readonly uptime_sec: number;
  readonly request_count: number;
  readonly error_count: number;
  readonly error_rate: number;
  readonly recent_error_rate: number | null;
  readonly health_attributes: Readonly<Record<string, string>>;
}

function ageSec(record: ServiceRecord, now: number): number | null {
  const { lastCheckedAt } = record.state;
  return lastCheckedAt === null ? null : Math.max(0, Math.floor((now - lastCheckedAt) / 1000));
}

/** What the last probes read, shared by both views. */
function readings(record: ServiceRecord) {
  const { state } = record;
  return {
    last_response_ms: state.lastResponseMs,
    // Zero before the first sample, as the reference shows; `health: unknown` says it is not a reading.
    uptime_sec: state.uptimeSec ?? 0,
    request_count: state.sample?.requestCount ?? 0,
    error_count: state.sample?.errorCount ?? 0,
    error_rate: state.errorRate,
    recent_error_rate: state.recentErrorRate,
    last_error: state.lastError,
  };
}

export function metricsEntry(record: ServiceRecord, now: number): MetricsEntry {
  const { state, request, settings } = record;
  const age = ageSec(record, now);
  return {
    service: request.id,
    status: state.ready ? 'UP' : 'DOWN',
    health: state.health,
    ready: state.ready,
    last_checked: age === null ? null : `${age}s ago`,
    last_checked_age_sec: age,
    ...readings(record),
    // The latest /health attributes win over the registration's.
    attributes: { ...request.attributes, ...state.healthAttributes },
    poll_interval_sec: settings.intervalMs / 1000,
  };
}

export function serviceView(record: ServiceRecord, now: number): ServiceView {
  const { state, request, settings } = record;
  return {
    id: request.id,
    url: request.url,
    health_path: settings.healthPath,
    attributes: request.attributes,
    poll_interval_sec: settings.intervalMs / 1000,
    timeout_ms: settings.timeoutMs,
    failure_threshold: settings.failureThreshold,
    success_threshold: settings.successThreshold,
    error_rate_threshold: settings.errorRateThreshold,
    deregister_after_sec: settings.deregisterAfterMs === null ? null : settings.deregisterAfterMs / 1000,
    webhook_url: request.webhookUrl ?? null,
    registered_at: new Date(record.registeredAt).toISOString(),
    health: state.health,
    ready: state.ready,
    reason: state.reason,
    last_checked_at: state.lastCheckedAt === null ? null : new Date(state.lastCheckedAt).toISOString(),
    last_checked_age_sec: ageSec(record, now),
    ...readings(record),
    health_attributes: state.healthAttributes,
  };
}
