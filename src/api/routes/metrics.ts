// GET /metrics: JSON (one object per service, sorted by id) by default; Prometheus text when asked for.
import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { BodyBuffers } from '../body-buffers.js';
import { ApiError } from '../errors.js';
import { isHead } from '../head.js';
import { METRICS_FORMATS, metricsFormat } from '../metrics-format.js';
import { errorResponses, type DocumentRoutes } from '../route-docs.js';
import { metricsJson } from '../metrics-json.js';
import { contextOf, metricsEntrySchema } from '../views.js';

/** Not strict: a Prometheus scrape config may add parameters of its own. */
export const metricsQuery = z.object({
  format: z.enum(METRICS_FORMATS).optional().meta({
    description: '`prometheus` for the Prometheus text exposition format; default JSON (or as the Accept header asks)',
  }),
});

export function metricsRoutes(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const routes = new Hono();
  const jsonBodies = new BodyBuffers();
  const textBodies = new BodyBuffers();
  routes.get('/metrics', async (c) => {
    const format = metricsFormat(c.req.query('format'), c.req.header('accept'));
    // The answer depends on Accept: a cache must not hand a scraper's text to a JSON client.
    c.header('Vary', 'Accept');
    // null: JSON; undefined: the text format was asked for and this monitor has none.
    const prometheus = format === 'json' ? null : deps.prometheus;
    if (prometheus === undefined) {
      throw new ApiError(
        501,
        'prometheus_disabled',
        'this monitor was started without Prometheus exposition; ask for JSON (the default) instead',
      );
    }
    const contentType = prometheus === null ? 'application/json' : prometheus.contentType;
    // HEAD: a body of megabytes at 10,000 services is not built to be thrown away.
    if (isHead(c)) return c.body(null, 200, { 'Content-Type': contentType });
    if (prometheus === null) {
      const body = metricsJson(deps.store.list(), now(), contextOf(deps.store), (length) => jsonBodies.take(length));
      jsonBodies.giveBackWhenSent(c, body);
      return c.body(body, 200, { 'Content-Type': contentType });
    }
    const body = await prometheus.exposition((length) => textBodies.take(length));
    textBodies.giveBackWhenSent(c, body);
    return c.body(body, 200, { 'Content-Type': contentType });
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
          'text/plain': {
            schema: z.string().meta({ description: 'Prometheus text exposition format, version 0.0.4' }),
          },
        },
      },
      ...errorResponses({
        400: '`invalid_query`: `format` is neither `json` nor `prometheus`',
        501: '`prometheus_disabled`: the text format was asked for, and this monitor runs without Prometheus exposition',
      }),
    },
  });
};
