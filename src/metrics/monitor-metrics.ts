// The monitor's own families: probing cycles, probe outcomes, registered services, webhook deliveries and discards.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { PROTOCOL_NAMES } from '../probe/probe-table.js';
import { noOutcomes, type CycleEvent, type MonitorEvents } from '../store/events.js';

export type WebhookDeliveryOutcome = 'delivered' | 'retried' | 'failed' | 'dropped';
export type WebhookDiscardReason = 'global_bound' | 'service_deleted';

// Records rather than arrays so the compiler says when an outcome is added and not listed here.
const WEBHOOK_OUTCOMES: Readonly<Record<WebhookDeliveryOutcome, true>> = {
  delivered: true,
  retried: true,
  failed: true,
  dropped: true,
};
const WEBHOOK_DISCARD_REASONS: Readonly<Record<WebhookDiscardReason, true>> = {
  global_bound: true,
  service_deleted: true,
};

/** From a few ms (nothing slow) to past the longest probe timeout with retries. */
const CYCLE_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const CYCLE_SIZE_BUCKETS = [1, 5, 10, 50, 100, 500, 1000, 5000, 10_000, 50_000];

export interface MonitorFamilies {
  recordWebhookDelivery(outcome: WebhookDeliveryOutcome): void;
  recordWebhookDiscard(reason: WebhookDiscardReason): void;
  /** Stops listening to the store's events. */
  close(): void;
}

export function registerMonitorMetrics(
  registry: Registry,
  source: { readonly size: number },
  events: MonitorEvents,
): MonitorFamilies {
  const cycleSeconds = new Histogram({
    name: 'health_monitor_cycle_duration_seconds',
    help: 'How long a probing cycle took, from taking the due services to applying their results.',
    buckets: CYCLE_SECONDS_BUCKETS,
    registers: [registry],
  });
  const cycleServices = new Histogram({
    name: 'health_monitor_cycle_services',
    help: 'How many services a probing cycle probed.',
    buckets: CYCLE_SIZE_BUCKETS,
    registers: [registry],
  });
  const probes = new Counter({
    name: 'health_monitor_probes_total',
    help: 'Probe results that came back, by outcome (answered, http_status, grpc_status, invalid_body, unreachable, monitor_error) and protocol (http, grpc, tcp).',
    labelNames: ['outcome', 'protocol'],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'health_monitor_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome (delivered, retried, failed, dropped).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const discards = new Counter({
    name: 'health_monitor_webhook_notices_discarded_total',
    help: 'Webhook notices discarded before delivery, per receiver, by reason (global_bound, service_deleted).',
    labelNames: ['reason'],
    registers: [registry],
  });
  new Gauge({
    name: 'health_monitor_services',
    help: 'Services registered.',
    registers: [registry],
    collect() {
      this.set(source.size);
    },
  });

  // Every outcome exists from the start, so rate() and absence alerts see a 0, not a missing series.
  for (const protocol of PROTOCOL_NAMES) {
    for (const outcome of Object.keys(noOutcomes())) probes.inc({ outcome, protocol }, 0);
  }
  for (const outcome of Object.keys(WEBHOOK_OUTCOMES)) deliveries.inc({ outcome }, 0);
  for (const reason of Object.keys(WEBHOOK_DISCARD_REASONS)) discards.inc({ reason }, 0);

  const onCycle = (cycle: CycleEvent): void => {
    cycleSeconds.observe(cycle.durationMs / 1000);
    cycleServices.observe(cycle.size);
    for (const [protocol, counts] of Object.entries(cycle.outcomes)) {
      for (const [outcome, count] of Object.entries(counts)) {
        if (count > 0) probes.inc({ outcome, protocol }, count);
      }
    }
  };
  events.on('cycle', onCycle);

  return {
    recordWebhookDelivery: (outcome) => {
      // A wrong value from untyped code would otherwise open a new series silently.
      if (!Object.hasOwn(WEBHOOK_OUTCOMES, outcome)) {
        throw new Error(
          `unknown webhook delivery outcome "${String(outcome)}"; expected one of ${Object.keys(WEBHOOK_OUTCOMES).join(', ')}`,
        );
      }
      deliveries.inc({ outcome });
    },
    recordWebhookDiscard: (reason) => {
      if (!Object.hasOwn(WEBHOOK_DISCARD_REASONS, reason)) {
        throw new Error(
          `unknown webhook discard reason "${String(reason)}"; expected one of ${Object.keys(WEBHOOK_DISCARD_REASONS).join(', ')}`,
        );
      }
      discards.inc({ reason });
    },
    close: () => {
      events.off('cycle', onCycle);
    },
  };
}
