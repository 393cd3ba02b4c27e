// Prometheus exposition of the monitor: the per-service families rendered from cached per-record
// lines (service-families.ts), then the monitor's own families from its prom-client registry.
import { impactedFamily } from './impacted-family.js';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { MonitorEvents } from '../store/events.js';
import { registerMonitorMetrics, type WebhookDeliveryOutcome, type WebhookDiscardReason } from './monitor-metrics.js';
import { createServiceFamilies, type ServiceSource } from './service-families.js';

const GAUGES_NAMED_LIKE_COUNTERS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export type { WebhookDeliveryOutcome } from './monitor-metrics.js';

export interface MonitorMetricsOptions {
  /** The store, or anything that reads like it. */
  readonly store: ServiceSource & { readonly size: number };
  readonly events: MonitorEvents;
  /** Attribute keys exported as labels of health_monitor_service_info (config `promAttributeLabels`). */
  readonly attributeLabels: readonly string[];
  /** Node.js process metrics (`process_*`, `nodejs_*`); default true. */
  readonly processMetrics?: boolean;
}

export interface MonitorMetrics {
  /** The monitor's own families and the process metrics; the per-service families are not in it. */
  readonly registry: Registry;
  /** `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  /** The exposition as UTF-8 bytes, built from the store as it is now: what GET /metrics sends. */
  /** The whole text, written into a buffer from `allocate` (default: a new one). */
  exposition(allocate?: (length: number) => Buffer<ArrayBuffer>): Promise<Buffer<ArrayBuffer>>;
  /** The same exposition as text, for tests and tools that read it. */
  render(): Promise<string>;
  recordWebhookDelivery(outcome: WebhookDeliveryOutcome): void;
  recordWebhookDiscard(reason: WebhookDiscardReason): void;
  /** Stops listening to the store's events; the registry stays readable. */
  close(): void;
}

/** Throws when two attribute keys would become the same label name. */
export function createMonitorMetrics(options: MonitorMetricsOptions): MonitorMetrics {
  // Not the global registry: every app (and every test) has its own.
  const registry = new Registry();
  const services = createServiceFamilies(options.attributeLabels);
  const monitor = registerMonitorMetrics(registry, options.store, options.events);
  // Unprefixed, as every Node.js exporter names them, so stock dashboards and alerts apply.
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total break the naming rules promtool checks; each is the sum over the `type`
    // label of its unsuffixed twin (nodejs_active_handles and so on), which stays.
    for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
  }
  const exposition = async (allocate?: (length: number) => Buffer<ArrayBuffer>): Promise<Buffer<ArrayBuffer>> => {
    const records = options.store.list();
    // prom-client calls every collect() before its first await, so health_monitor_services reads
    // the store in this same tick as list() did: the two agree.
    const own = registry.metrics();
    // The per-service families first, then the monitor's own; prom-client separates families with an
    // empty line and ends the text with a line feed.
    return services.render(records, `\n\n${impactedFamily(records)}\n\n${await own}`, allocate);
  };
  return {
    registry,
    contentType: registry.contentType,
    exposition,
    render: async () => (await exposition()).toString('utf8'),
    recordWebhookDelivery: (outcome) => monitor.recordWebhookDelivery(outcome),
    recordWebhookDiscard: (reason) => monitor.recordWebhookDiscard(reason),
    close: () => monitor.close(),
  };
}
