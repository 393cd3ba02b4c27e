// GET /healthz: the monitor's own liveness.
import { Hono } from 'hono';
import { z } from 'zod';
import type { CycleEvent, StorageHealth } from '../../store/events.js';
import type { ApiDeps, ClusterInfo } from '../deps.js';
import { jsonResponse, type DocumentRoutes } from '../route-docs.js';

export const healthzSchema = z
  .object({
    status: z.enum(['ok', 'degraded']).meta({
      description:
        '`degraded` while the database refuses writes (see `storage`); the monitor still probes and serves reads',
    }),
    services: z.number().int().min(0).meta({ description: 'Services registered' }),
    uptime_sec: z.number().int().min(0).meta({ description: 'Whole seconds since the monitor started' }),
    event_stream_clients: z.number().int().min(0).meta({ description: 'Clients connected to `GET /events` now' }),
    last_cycle: z
      .object({
        started_at: z.iso.datetime(),
        duration_ms: z.number().int().min(0),
        services: z.number().int().min(0).meta({ description: 'Services probed in the cycle' }),
        event_loop_utilization: z
          .number()
          .min(0)
          .max(1)
          .meta({ description: "The API thread's event-loop utilisation while the cycle ran" }),
        schedule_lag_ms: z
          .object({ p50: z.number().int().min(0), p99: z.number().int().min(0), max: z.number().int().min(0) })
          .nullable()
          .meta({ description: 'How late its probes started after they were due; `null` when no result came back' }),
      })
      .nullable()
      .meta({
        description:
          'The last probing cycle; `null` before the first. A stale `started_at` means the scheduler is stuck.',
      }),
    storage: z
      .object({
        status: z
          .enum(['ok', 'failing'])
          .meta({ description: '`failing` from a write the database refused until one it takes' }),
        failing_since: z.iso
          .datetime()
          .nullable()
          .meta({ description: 'When the first refused write of this failure was tried' }),
        last_error: z.string().nullable().meta({ description: 'Why the latest write was refused' }),
        unsaved_services: z
          .number()
          .int()
          .min(0)
          .meta({ description: 'Services whose latest probed state is shown but not yet written' }),
        unsaved_transitions: z
          .number()
          .int()
          .min(0)
          .meta({ description: 'Transitions waiting to be written to the history and the event stream' }),
        dropped_transitions: z.number().int().min(0).meta({
          description:
            'Transitions dropped during this failure because too many were waiting; they never reach the history',
        }),
      })
      .meta({
        description:
          'Whether the database takes writes. While it does not, registrations and removals answer 503 and probe results wait in memory.',
      }),
    cluster: z
      .object({
        replica: z.string().meta({ description: 'This replica: REPLICA_ID' }),
        shards_owned: z.number().int().min(0).meta({ description: 'Shards whose services this replica probes now' }),
        shard_count: z.number().int().min(1),
        replicas_live: z.number().int().min(0).meta({ description: 'Replicas whose heartbeat has not expired' }),
        writes_refused: z.number().int().min(0).meta({
          description: "Probe results the database refused since start because their shard's lease had moved on",
        }),
        database: z.object({
          status: z.enum(['up', 'down']).meta({ description: '`down` from a failed lease renewal until one succeeds' }),
          reason: z.string().nullable(),
          since: z.iso.datetime(),
        }),
      })
      .optional()
      .meta({ description: 'Cluster mode only (DATABASE_URL set)' }),
  })
  .readonly()
  .meta({ id: 'Healthz' });

function storageView(storage: StorageHealth): z.output<typeof healthzSchema>['storage'] {
  return {
    status: storage.status,
    failing_since: storage.failingSince === null ? null : new Date(storage.failingSince).toISOString(),
    last_error: storage.lastError,
    unsaved_services: storage.unsavedServices,
    unsaved_transitions: storage.unsavedTransitions,
    dropped_transitions: storage.droppedTransitions,
  };
}

function cycleView(cycle: CycleEvent | null): z.output<typeof healthzSchema>['last_cycle'] {
  if (cycle === null) return null;
  return {
    started_at: new Date(cycle.startedAt).toISOString(),
    duration_ms: Math.round(cycle.durationMs),
    services: cycle.size,
    event_loop_utilization: Math.round(cycle.eventLoopUtilization * 1000) / 1000,
    schedule_lag_ms: cycle.scheduleLagMs,
  };
}

function clusterView(cluster: ClusterInfo): NonNullable<z.output<typeof healthzSchema>['cluster']> {
  const { database } = cluster;
  return {
    replica: cluster.replicaId,
    shards_owned: cluster.shardsOwned,
    shard_count: cluster.shardCount,
    replicas_live: cluster.replicasLive,
    writes_refused: cluster.writesRefused,
    database: { status: database.status, reason: database.reason, since: new Date(database.since).toISOString() },
  };
}

export function healthzRoutes(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const startedAt = deps.startedAt ?? now();
  const routes = new Hono();
  routes.get('/healthz', (c) => {
    const storage = deps.store.storage;
    const cluster = deps.cluster === undefined ? undefined : clusterView(deps.cluster);
    const body: z.output<typeof healthzSchema> = {
      // Still 200: the monitor is alive and useful, and restarting it would not unlock the database.
      status: storage.status === 'ok' && cluster?.database.status !== 'down' ? 'ok' : 'degraded',
      services: deps.store.size,
      uptime_sec: Math.floor((now() - startedAt) / 1000),
      event_stream_clients: deps.eventStream?.size ?? 0,
      last_cycle: cycleView(deps.store.lastCycle),
      storage: storageView(storage),
      ...(cluster === undefined ? {} : { cluster }),
    };
    return c.json(body);
  });
  return routes;
}

export const documentHealthzRoutes: DocumentRoutes = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: "The monitor's own liveness",
    responses: { 200: jsonResponse('The monitor is up (`degraded` when its database refuses writes)', healthzSchema) },
  });
};
