// What the API needs from the rest of the monitor, passed in by the composition root.
import type { Logger } from 'pino';
import type { ProbeDefaults, TargetPolicy } from '../domain/index.js';
import type { MonitorMetrics } from '../metrics/prometheus.js';
import type { EventStreamHub } from '../notify/event-stream/event-stream-hub.js';
import type { ServiceStore } from '../store/store.js';

export interface ApiDeps {
  readonly store: ServiceStore;
  readonly defaults: ProbeDefaults;
  readonly registerToken: string | null;
  readonly targetPolicy: TargetPolicy;
  readonly logger: Logger;
  readonly now?: () => number;
  /** When the monitor started, for /healthz. */
  readonly startedAt?: number;
  /** Serves GET /events; without it the route answers 503. */
  readonly eventStream?: EventStreamHub;
  /** Prometheus exposition for GET /metrics; without it only JSON is served there. */
  readonly prometheus?: Pick<MonitorMetrics, 'exposition' | 'contentType'>;
}
