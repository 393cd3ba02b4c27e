// GET /cluster: every replica sharing the database, the shards it holds and when its leases run out.
import { Hono } from 'hono';
import { z } from 'zod';
import { SHARD_COUNT } from '../../domain/index.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { errorResponses, jsonResponse, type DocumentRoutes } from '../route-docs.js';

export const clusterSchema = z
  .object({
    mode: z.enum(['cluster', 'single']).meta({
      description: '`single`: SQLite, one monitor probing every service, no leases (DATABASE_URL unset)',
    }),
    replica: z.string().nullable().meta({ description: 'The replica that answered; `null` in single mode' }),
    shard_count: z.number().int().min(1),
    lease_ttl_ms: z.number().int().min(1).nullable(),
    replicas: z.array(
      z.object({
        id: z.string(),
        live: z.boolean().meta({ description: 'Its heartbeat has not expired' }),
        heartbeat_at: z.iso.datetime(),
        owned: z.number().int().min(0).meta({ description: 'Shards it holds an unexpired lease on' }),
        shards: z.array(z.number().int().min(0)),
        lease_expires_at: z.iso.datetime().nullable().meta({ description: 'When its latest lease runs out' }),
      }),
    ),
  })
  .readonly()
  .meta({ id: 'Cluster' });

export function clusterRoutes(deps: ApiDeps): Hono {
  const routes = new Hono();
  routes.get('/cluster', async (c) => {
    const { cluster } = deps;
    if (cluster === undefined) {
      const single: z.output<typeof clusterSchema> = {
        mode: 'single',
        replica: null,
        shard_count: SHARD_COUNT,
        lease_ttl_ms: null,
        replicas: [],
      };
      return c.json(single);
    }
    const replicas = await cluster.replicas().catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError(503, 'storage_unavailable', `the database cannot be read: ${reason}`);
    });
    const body: z.output<typeof clusterSchema> = {
      mode: 'cluster',
      replica: cluster.replicaId,
      shard_count: cluster.shardCount,
      lease_ttl_ms: cluster.leaseTtlMs,
      replicas: replicas.map((replica) => ({
        id: replica.id,
        live: replica.live,
        heartbeat_at: replica.heartbeatAt.toISOString(),
        owned: replica.shards.length,
        shards: [...replica.shards],
        lease_expires_at: replica.leaseExpiresAt?.toISOString() ?? null,
      })),
    };
    return c.json(body);
  });
  return routes;
}

export const documentClusterRoutes: DocumentRoutes = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/cluster',
    summary: 'The replicas sharing the database and their shard leases (cluster mode)',
    responses: {
      200: jsonResponse('Every replica seen within the last hour (none in single mode)', clusterSchema),
      ...errorResponses({ 503: '`storage_unavailable`: the database cannot be read' }),
    },
  });
};
