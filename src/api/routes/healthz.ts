// GET /healthz: the monitor's own liveness.
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.js';

export function healthzRoutes(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const startedAt = deps.startedAt ?? now();
  const routes = new Hono();
  routes.get('/healthz', (c) =>
    c.json({ status: 'ok', services: deps.store.size, uptime_sec: Math.floor((now() - startedAt) / 1000) }),
  );
  return routes;
}
