// The JSON shapes the API answers with, built from the store's frozen records at read time.
// Each shape is a zod schema first: the TypeScript type is derived from it and the OpenAPI document
// is generated from it, so neither can drift from what the builders below return.
import { z } from 'zod';
import {
  daysLeft,
  HEALTH_STATES,
  impactedBy,
  staleAfter,
  type Health,
  type MaintenanceWindow,
} from '../domain/index.js';
import type { ServiceRecord } from '../store/service-record.js';
import { protocolNameOf } from '../probe/probe-table.js';

const stringMap = (description: string) => z.record(z.string(), z.string()).readonly().meta({ description });
const nullable = <T extends z.ZodType>(schema: T, description: string) => schema.nullable().meta({ description });

const health = z.enum(HEALTH_STATES).meta({ description: 'The reported health; `unknown` until the first probe' });
const ready = z.boolean().meta({ description: 'Whether the last probe got an HTTP 200' });

/** The fields both views have: the interval and what the last probes read. */
const sharedFields = {
  last_checked_age_sec: nullable(
    z.number().int().min(0),
    'Whole seconds since the last probe; `null` before the first',
  ),
  stale: z.boolean().meta({
    description:
      'Whether the last probe finished more than 2 × poll_interval_sec + timeout_ms ago (counted from registration if never probed): the verdict is no longer current',
  }),
  last_response_ms: nullable(
    z.number().min(0),
    'How long the latest probe took, retries included; `null` before the first',
  ),
  uptime_sec: z
    .number()
    .min(0)
    .meta({ description: "The service's own `uptime_sec` from its /health; 0 before the first sample" }),
  request_count: z
    .number()
    .int()
    .min(0)
    .meta({ description: "The service's latest `request_count`; 0 before the first sample" }),
  error_count: z
    .number()
    .int()
    .min(0)
    .meta({ description: "The service's latest `error_count`; 0 before the first sample" }),
  error_rate: z
    .number()
    .min(0)
    .max(1)
    .meta({ description: 'error_count / request_count over the lifetime; 0 without requests' }),
  recent_error_rate: nullable(
    z.number().min(0).max(1),
    'Errors per request between the last two samples; `null` until there are two, or when no request happened between them',
  ),
  impacted_by: z.array(z.string()).readonly().meta({
    description: 'The `depends_on` services that are unhealthy or dead now: while any is, notices are held back',
  }),
  maintenance: nullable(
    z
      .object({
        until: z.iso.datetime().meta({ description: 'When the window ends by itself' }),
        reason: z.string(),
      })
      .readonly(),
    'The maintenance window covering the service now (its own or one for every service): no notices, and its probes left out of uptime; `null` when none',
  ),
  tls: nullable(
    z
      .object({
        expires_at: z.iso
          .datetime()
          .meta({ description: 'When the leaf certificate of the last https answer expires' }),
        days_left: z.number().int().meta({ description: 'Whole days until then, cut; negative once expired' }),
      })
      .readonly(),
    '`null` for plain HTTP, or before the first https answer',
  ),
  last_error: nullable(
    z.string(),
    'A short reason for the last failed or unhealthy probe, e.g. `HTTP 500`; `null` when it succeeded',
  ),
  poll_interval_sec: z.number().positive().meta({ description: 'The effective probe interval' }),
};

export const metricsEntrySchema = z
  .object({
    service: z.string().meta({ description: 'The service id' }),
    status: z.enum(['UP', 'DOWN']).meta({ description: '`UP` when the service is ready' }),
    health,
    ready,
    last_checked: nullable(z.string(), 'The age of the last probe as `12s ago`; `null` before the first'),
    ...sharedFields,
    attributes: stringMap("The registration's attributes merged with the latest /health attributes; /health wins"),
  })
  .readonly()
  .meta({ id: 'MetricsEntry', description: "One service as the Go reference's /metrics shows it, plus a few fields" });

export const serviceViewSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    health_path: z.string(),
    attributes: stringMap('The attributes given at registration'),
    timeout_ms: z.number().int().positive(),
    failure_threshold: z.number().int().positive(),
    success_threshold: z.number().int().positive(),
    error_rate_threshold: z.number().min(0).max(1),
    deregister_after_sec: nullable(z.number().positive(), 'Expiry after this long dead or unhealthy; `null`: never'),
    webhook_url: nullable(z.string(), "Where this service's transitions are also posted; `null`: none of its own"),
    depends_on: z.array(z.string()).readonly().meta({ description: 'The services this one depends on, as registered' }),
    dependencies: z
      .array(z.object({ id: z.string(), health: z.enum(HEALTH_STATES) }).readonly())
      .readonly()
      .meta({ description: 'Each of `depends_on` with its health now; `unknown` for an id not registered (yet)' }),
    tls_skip_verify: z
      .boolean()
      .meta({ description: 'Whether the certificate is probed without verification (a self-signed target)' }),
    grpc_service: nullable(
      z.string(),
      'grpc and grpcs: the service name the health Check asks about (`""`: the server as a whole); `null` for other schemes',
    ),
    degraded_latency_ms: nullable(
      z.number().int().positive(),
      'A 200 answer slower than this makes the service `degraded`; `null`: response time does not count',
    ),
    registered_at: z.iso.datetime().meta({ description: 'When the current registration was stored' }),
    health,
    ready,
    reason: z.string().meta({ description: 'Why the health is what it is' }),
    last_checked_at: nullable(z.iso.datetime(), 'When the last probe completed; `null` before the first'),
    ...sharedFields,
    health_attributes: stringMap('The attributes of the latest /health answer'),
  })
  .readonly()
  .meta({
    id: 'Service',
    description: 'A registered service: its effective settings (defaults filled in) and its full state',
  });

export type MetricsEntry = z.output<typeof metricsEntrySchema>;

/** What a view reads besides the record: other services' health, and the maintenance windows. */
export interface ViewContext {
  /** A service's health by id, `undefined` when none is registered under it. */
  readonly healthOf: (id: string) => Health | undefined;
  readonly maintenanceOf: (id: string) => MaintenanceWindow | null;
}

export const NO_CONTEXT: ViewContext = { healthOf: () => undefined, maintenanceOf: () => null };

export function contextOf(store: {
  get(id: string): ServiceRecord | undefined;
  maintenanceFor(id: string): MaintenanceWindow | null;
}): ViewContext {
  return { healthOf: (id) => store.get(id)?.state.health, maintenanceOf: (id) => store.maintenanceFor(id) };
}

/** The window covering a service as the views show it. */
export function maintenanceView(window: MaintenanceWindow | null): { until: string; reason: string } | null {
  return window === null ? null : { until: new Date(window.until).toISOString(), reason: window.reason };
}
export type ServiceView = z.output<typeof serviceViewSchema>;

export function ageSec(record: ServiceRecord, now: number): number | null {
  const { lastCheckedAt } = record.state;
  return lastCheckedAt === null ? null : Math.max(0, Math.floor((now - lastCheckedAt) / 1000));
}

/** DESIGN "Stale": no probe has finished for 2 × interval + timeout, so the verdict is not current. */
export function isStale(record: ServiceRecord, now: number): boolean {
  const { state, settings } = record;
  return now > staleAfter(state.lastCheckedAt, record.registeredAt, settings.intervalMs, settings.timeoutMs);
}

/** What the last probes read, shared by both views. */
function readings(record: ServiceRecord, now: number, context: ViewContext) {
  const { state } = record;
  const { tlsExpiresAt } = state;
  return {
    impacted_by: impactedBy(record.request.dependsOn, context.healthOf),
    maintenance: maintenanceView(context.maintenanceOf(record.request.id)),
    tls:
      tlsExpiresAt === null
        ? null
        : { expires_at: new Date(tlsExpiresAt).toISOString(), days_left: daysLeft(tlsExpiresAt, now) },
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

export function metricsEntry(record: ServiceRecord, now: number, context: ViewContext): MetricsEntry {
  const { state, request, settings } = record;
  const age = ageSec(record, now);
  return {
    service: request.id,
    status: state.ready ? 'UP' : 'DOWN',
    health: state.health,
    ready: state.ready,
    last_checked: age === null ? null : `${age}s ago`,
    last_checked_age_sec: age,
    stale: isStale(record, now),
    ...readings(record, now, context),
    // The latest /health attributes win over the registration's.
    attributes: { ...request.attributes, ...state.healthAttributes },
    poll_interval_sec: settings.intervalMs / 1000,
  };
}

export function serviceView(record: ServiceRecord, now: number, context: ViewContext): ServiceView {
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
    depends_on: request.dependsOn ?? [],
    dependencies: (request.dependsOn ?? []).map((id) => ({ id, health: context.healthOf(id) ?? 'unknown' })),
    tls_skip_verify: settings.tlsSkipVerify,
    grpc_service: protocolNameOf(request.url) === 'grpc' ? settings.grpcService : null,
    degraded_latency_ms: settings.degradedLatencyMs,
    registered_at: new Date(record.registeredAt).toISOString(),
    health: state.health,
    ready: state.ready,
    reason: state.reason,
    last_checked_at: state.lastCheckedAt === null ? null : new Date(state.lastCheckedAt).toISOString(),
    last_checked_age_sec: ageSec(record, now),
    stale: isStale(record, now),
    ...readings(record, now, context),
    health_attributes: state.healthAttributes,
  };
}
