// GET /cluster: every replica sharing the database, the shards it holds and when its leases run out.
import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { errorResponses, jsonResponse, type DocumentRoutes } from '../route-docs.js';

export const clusterSchema = z
  .object({
    replica: z.string().meta({ description: 'The replica that answered' }),
    shard_count: z.number().int().min(1),
    lease_ttl_ms: z.number().int().min(1),
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
      throw new ApiError(404, 'not_found', 'cluster mode is off: the monitor runs on SQLite (set DATABASE_URL)');
    }
    const replicas = await cluster.replicas().catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError(503, 'storage_unavailable', `the database cannot be read: ${reason}`);
    });
    const body: z.output<typeof clusterSchema> = {
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
      200: jsonResponse('Every replica seen within the last hour', clusterSchema),
      ...errorResponses({
        404: 'Cluster mode is off',
        503: 'The database cannot be reached',
      }),
    },
  });
};
