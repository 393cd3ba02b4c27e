// The per-service families as prom-client renders them: plain Gauges set from the records at
// scrape time, the way the monitor exposed them before it rendered them itself. Tests hold the
// hand-written renderer to this text byte for byte.
import { Gauge, Registry } from 'prom-client';
import { HEALTH_STATES, impactedBy } from '../../src/domain/index.js';
import { IMPACTED_FAMILY } from '../../src/metrics/impacted-family.js';
import { attributeLabelNames } from '../../src/metrics/label-names.js';
import {
  recordStaleAfter,
  serviceAttribute,
  STALE_FAMILY,
  STALE_HELP,
  type ServiceSource,
} from '../../src/metrics/service-families.js';
import type { ServiceRecord } from '../../src/store/service-record.js';

/** Registers the eight per-service gauges in `registry`, in the order and with the help texts the monitor uses. */
export function registerPromClientServiceFamilies(
  registry: Registry,
  source: ServiceSource,
  attributeKeys: readonly string[],
  now: () => number = Date.now,
): void {
  const labelByKey = attributeLabelNames(attributeKeys);

  const gauge = (
    name: string,
    help: string,
    labelNames: readonly string[],
    fill: (gauge: Gauge<string>, records: readonly ServiceRecord[]) => void,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        fill(this, source.list());
      },
    });
  };
  const perService = (name: string, help: string, value: (record: ServiceRecord) => number | null): void => {
    gauge(name, help, ['service'], (g, records) => {
      for (const record of records) {
        const reading = value(record);
        if (reading !== null) g.set({ service: record.request.id }, reading);
      }
    });
  };

  perService(
    'health_monitor_service_up',
    'Whether the service is ready: 1 ready, 0 not (not probed yet, unreachable, or answering an HTTP error).',
    (record) => (record.state.ready ? 1 : 0),
  );
  gauge(
    'health_monitor_service_health',
    `The service's health as a state set: 1 for the current state, 0 for the others (${HEALTH_STATES.join(', ')}).`,
    ['service', 'state'],
    (g, records) => {
      for (const record of records) {
        for (const state of HEALTH_STATES)
          g.set({ service: record.request.id, state }, record.state.health === state ? 1 : 0);
      }
    },
  );
  perService(STALE_FAMILY, STALE_HELP, (record) => (now() > recordStaleAfter(record) ? 1 : 0));
  perService(
    'health_monitor_service_error_ratio',
    'Errors over requests since the service started, from its own /health counters.',
    (record) => (record.state.sample === null ? null : record.state.errorRate),
  );
  perService(
    'health_monitor_service_recent_error_ratio',
    'Errors over requests between the last two /health answers; absent until two answers carried counters.',
    (record) => record.state.recentErrorRate,
  );
  perService(
    'health_monitor_service_last_check_timestamp_seconds',
    'When the last probe of the service finished, Unix time; absent before the first.',
    (record) => (record.state.lastCheckedAt === null ? null : record.state.lastCheckedAt / 1000),
  );
  perService(
    'health_monitor_service_last_response_seconds',
    'How long the last probe took, retries included; absent before the first.',
    (record) => (record.state.lastResponseMs === null ? null : record.state.lastResponseMs / 1000),
  );
  perService(
    'health_monitor_service_tls_cert_expiry_timestamp_seconds',
    "When the leaf certificate of the last https answer expires, Unix time (blackbox_exporter's probe_ssl_earliest_cert_expiry); absent for plain HTTP.",
    (record) => (record.state.tlsExpiresAt === null ? null : record.state.tlsExpiresAt / 1000),
  );
  gauge(
    'health_monitor_service_info',
    `Always 1; carries the configured service attributes as labels (${[...labelByKey.values()].join(', ') || 'none configured'}).`,
    ['service', ...labelByKey.values()],
    (g, records) => {
      for (const record of records) {
        const labels: Record<string, string> = { service: record.request.id };
        for (const [key, label] of labelByKey) {
          const value = serviceAttribute(record, key);
          if (value !== undefined) labels[label] = value;
        }
        g.set(labels, 1);
      }
    },
  );
}

/** prom-client's text for the per-service families alone, without the final line feed it adds. */
export async function promClientServiceFamilies(
  records: readonly ServiceRecord[],
  attributeKeys: readonly string[],
  now: () => number = Date.now,
): Promise<string> {
  const registry = new Registry();
  registerPromClientServiceFamilies(registry, { list: () => records }, attributeKeys, now);
  return (await registry.metrics()).slice(0, -1);
}

/** health_monitor_service_impacted as a prom-client Gauge: it follows the per-service families in the exposition. */
export function registerPromClientImpactedFamily(registry: Registry, source: ServiceSource): void {
  new Gauge({
    name: IMPACTED_FAMILY,
    help: "1 for each of a service's depends_on that is unhealthy or dead now: the service's notices are held back meanwhile.",
    labelNames: ['service', 'by'],
    registers: [registry],
    collect() {
      this.reset();
      const records = source.list();
      const health = new Map(records.map((record) => [record.request.id, record.state.health]));
      for (const record of records)
        for (const by of impactedBy(record.request.dependsOn, (id) => health.get(id)))
          this.set({ service: record.request.id, by }, 1);
    },
  });
}
