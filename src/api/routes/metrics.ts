// GET /metrics: one JSON object per service, sorted by id, a superset of the reference's fields.
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.js';
import { metricsEntry } from '../views.js';

export function metricsRoutes(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const routes = new Hono();
  routes.get('/metrics', (c) => {
    const at = now();
    return c.json(deps.store.list().map((record) => metricsEntry(record, at)));
  });
  return routes;
}
