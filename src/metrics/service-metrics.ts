// Per-service families, read from the store's frozen records at scrape time.
import type { Registry } from 'prom-client';
import { HEALTH_STATES } from '../domain/index.js';
import type { ServiceRecord } from '../store/service-record.js';
import { attributeLabelNames } from './label-names.js';
import { ScrapeTimeGauge, type GaugeSample } from './scrape-time-gauge.js';

/**
 * prom-client formats each sample's `sharedLabels`, caching the result per object in a WeakMap;
 * left out, it defaults to a fresh `{}` per sample: one cache miss and one WeakMap entry for every
 * sample of every scrape. One frozen empty object hits the cache and takes about a quarter off the
 * exposition time at 10,000 services, the text unchanged.
 */
const NO_SHARED_LABELS: Readonly<Record<string, never>> = Object.freeze({});

function sample(labels: Record<string, string>, value: number): GaugeSample & { readonly sharedLabels: typeof NO_SHARED_LABELS } {
  return { labels, value, sharedLabels: NO_SHARED_LABELS };
}

export interface ServiceSource {
  list(): readonly ServiceRecord[];
}

/** An attribute's value as the JSON view shows it: the latest /health attributes win over the registration's. */
function attributeValue(record: ServiceRecord, key: string): string | undefined {
  // Own properties only: a key such as "constructor" must not read Object.prototype.
  const reported = record.state.healthAttributes;
  if (Object.hasOwn(reported, key)) return reported[key];
  const registered = record.request.attributes;
  return Object.hasOwn(registered, key) ? registered[key] : undefined;
}

export function registerServiceMetrics(registry: Registry, source: ServiceSource, attributeKeys: readonly string[]): void {
  const labelByKey = attributeLabelNames(attributeKeys);

  /** One sample per service, none where `value` is `null`. */
  const perService = (name: string, help: string, value: (record: ServiceRecord) => number | null): void => {
    new ScrapeTimeGauge({ name, help, labelNames: ['service'], registry }, () => {
      const samples: GaugeSample[] = [];
      for (const record of source.list()) {
        const reading = value(record);
        if (reading !== null) samples.push(sample({ service: record.request.id }, reading));
      }
      return samples;
    });
  };

  perService('health_monitor_service_up', 'Whether the service is ready: 1 ready, 0 not (not probed yet, unreachable, or answering an HTTP error).', (record) =>
    record.state.ready ? 1 : 0,
  );

  new ScrapeTimeGauge(
    {
      name: 'health_monitor_service_health',
      help: `The service's health as a state set: 1 for the current state, 0 for the others (${HEALTH_STATES.join(', ')}).`,
      labelNames: ['service', 'state'],
      registry,
    },
    () => {
      const samples: GaugeSample[] = [];
      for (const record of source.list()) {
        const service = record.request.id;
        for (const state of HEALTH_STATES) samples.push(sample({ service, state }, record.state.health === state ? 1 : 0));
      }
      return samples;
    },
  );

  // Before the service has reported any counters its error ratio is unknown, not 0: no sample.
  perService('health_monitor_service_error_ratio', 'Errors over requests since the service started, from its own /health counters.', (record) =>
    record.state.sample === null ? null : record.state.errorRate,
  );
  perService(
    'health_monitor_service_recent_error_ratio',
    'Errors over requests between the last two /health answers; absent until two answers carried counters.',
    (record) => record.state.recentErrorRate,
  );
  perService('health_monitor_service_last_check_timestamp_seconds', 'When the last probe of the service finished, Unix time; absent before the first.', (record) =>
    record.state.lastCheckedAt === null ? null : record.state.lastCheckedAt / 1000,
  );
  perService('health_monitor_service_last_response_seconds', 'How long the last probe took, retries included; absent before the first.', (record) =>
    record.state.lastResponseMs === null ? null : record.state.lastResponseMs / 1000,
  );

  new ScrapeTimeGauge(
    {
      name: 'health_monitor_service_info',
      help: `Always 1; carries the configured service attributes as labels (${[...labelByKey.values()].join(', ') || 'none configured'}).`,
      labelNames: ['service', ...labelByKey.values()],
      registry,
    },
    () => {
      const samples: GaugeSample[] = [];
      for (const record of source.list()) {
        const labels: Record<string, string> = { service: record.request.id };
        // An attribute the service lacks gets no label at all: prom-client would print "undefined".
        for (const [key, label] of labelByKey) {
          const value = attributeValue(record, key);
          if (value !== undefined) labels[label] = value;
        }
        samples.push(sample(labels, 1));
      }
      return samples;
    },
  );
}
