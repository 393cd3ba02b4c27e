// GET /metrics: JSON (one object per service, sorted by id) by default; Prometheus text when asked for.
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { metricsFormat } from '../metrics-format.js';
import { metricsEntry } from '../views.js';

export function metricsRoutes(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const routes = new Hono();
  routes.get('/metrics', async (c) => {
    const format = metricsFormat(c.req.query('format'), c.req.header('accept'));
    // The answer depends on Accept: a cache must not hand a scraper's text to a JSON client.
    c.header('Vary', 'Accept');
    if (format === 'json') {
      const at = now();
      return c.json(deps.store.list().map((record) => metricsEntry(record, at)));
    }
    if (!deps.prometheus) {
      throw new ApiError(501, 'prometheus_disabled', 'this monitor was started without Prometheus exposition; ask for JSON (the default) instead');
    }
    return c.body(await deps.prometheus.render(), 200, { 'Content-Type': deps.prometheus.contentType });
  });
  return routes;
}
