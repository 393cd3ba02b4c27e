// Prometheus exposition of the monitor: its own registry, per-service families read at scrape time.
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { MonitorEvents } from '../store/events.js';
import { registerMonitorMetrics, type WebhookDeliveryOutcome } from './monitor-metrics.js';
import { registerServiceMetrics, type ServiceSource } from './service-metrics.js';

const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

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
  readonly registry: Registry;
  /** `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  /** The exposition text, built from the store as it is now. */
  render(): Promise<string>;
  recordWebhookDelivery(outcome: WebhookDeliveryOutcome): void;
  /** Stops listening to the store's events; the registry stays readable. */
  close(): void;
}

/** Throws when two attribute keys would become the same label name. */
export function createMonitorMetrics(options: MonitorMetricsOptions): MonitorMetrics {
  // Not the global registry: every app (and every test) has its own.
  const registry = new Registry();
  registerServiceMetrics(registry, options.store, options.attributeLabels);
  const monitor = registerMonitorMetrics(registry, options.store, options.events);
  // Unprefixed, as every Node.js exporter names them, so stock dashboards and alerts apply.
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total break the naming rules promtool checks; each is the sum over the `type`
    // label of its unsuffixed twin (nodejs_active_handles and so on), which stays.
    for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
  }
  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    recordWebhookDelivery: (outcome) => monitor.recordWebhookDelivery(outcome),
    close: () => monitor.close(),
  };
}
