// GET /healthz: the monitor's own liveness.
import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { jsonResponse, type DocumentRoutes } from '../route-docs.js';

export const healthzSchema = z
  .object({
    status: z.literal('ok'),
    services: z.number().int().min(0).meta({ description: 'Services registered' }),
    uptime_sec: z.number().int().min(0).meta({ description: 'Whole seconds since the monitor started' }),
  })
  .readonly()
  .meta({ id: 'Healthz' });

export function healthzRoutes(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const startedAt = deps.startedAt ?? now();
  const routes = new Hono();
  routes.get('/healthz', (c) => {
    const body: z.output<typeof healthzSchema> = {
      status: 'ok',
      services: deps.store.size,
      uptime_sec: Math.floor((now() - startedAt) / 1000),
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
    responses: { 200: jsonResponse('The monitor is up', healthzSchema) },
  });
};
