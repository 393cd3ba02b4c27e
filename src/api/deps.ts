// What the API needs from the rest of the monitor, passed in by the composition root.
import type { StatusPageSettings } from '../web/status-settings.js';
import type { Logger } from 'pino';
import type { ProbeDefaults, TargetPolicy } from '../domain/index.js';
import type { MonitorMetrics } from '../metrics/prometheus.js';
import type { EventStreamHub } from '../notify/event-stream/event-stream-hub.js';
import type { ServiceStore } from '../store/store.js';

/** Cluster mode as the API shows it: this replica's share, the database, and every replica's leases. */
export interface ClusterInfo {
  readonly replicaId: string;
  readonly shardCount: number;
  readonly leaseTtlMs: number;
  readonly shardsOwned: number;
  readonly replicasLive: number;
  readonly writesRefused: number;
  readonly database: { readonly status: 'up' | 'down'; readonly reason: string | null; readonly since: number };
  replicas(): Promise<
    readonly {
      readonly id: string;
      readonly live: boolean;
      readonly heartbeatAt: Date;
      readonly shards: readonly number[];
      readonly leaseExpiresAt: Date | null;
    }[]
  >;
}

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
  /** Cluster mode (PostgreSQL): serves GET /cluster and the `cluster` part of /healthz. */
  readonly cluster?: ClusterInfo;
  /** The status page at `/`; without it (STATUS_PAGE=off) those routes answer 404. */
  readonly statusPage?: StatusPageSettings;
}
