// GET /metrics: one JSON object per service, sorted by id, a superset of the reference's fields.
import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import type { DocumentRoutes } from '../route-docs.js';
import { metricsEntry, metricsEntrySchema } from '../views.js';

/** Not strict: a Prometheus scrape config may add parameters of its own. */
export const metricsQuery = z.object({
  format: z
    .enum(['json', 'prometheus'])
    .optional()
    .meta({ description: '`prometheus` for the Prometheus text exposition format; default JSON (or as the Accept header asks)' }),
});

export function metricsRoutes(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const routes = new Hono();
  routes.get('/metrics', (c) => {
    const at = now();
    return c.json(deps.store.list().map((record) => metricsEntry(record, at)));
  });
  return routes;
}

export const documentMetricsRoutes: DocumentRoutes = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: "Every service as the Go reference's /metrics shows it, or as Prometheus metrics",
    description:
      'JSON by default. The Prometheus text exposition format (0.0.4) with `?format=prometheus`, or when the ' +
      'Accept header prefers `text/plain` or `application/openmetrics-text`, as Prometheus scrapers send it.',
    request: { query: metricsQuery },
    responses: {
      200: {
        description: 'One entry per service, sorted by id',
        content: {
          'application/json': { schema: z.array(metricsEntrySchema) },
          'text/plain': { schema: z.string().meta({ description: 'Prometheus text exposition format, version 0.0.4' }) },
        },
      },
    },
  });
};
