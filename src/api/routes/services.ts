// The registry as resources: list, read one, delete one.
import { Hono } from 'hono';
import { requireToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { serviceView } from '../views.js';

const notFound = (id: string): ApiError => new ApiError(404, 'service_not_found', `no service is registered with id "${id}"`);

export function serviceRoutes(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const routes = new Hono();
  routes.get('/services', (c) => {
    const at = now();
    return c.json(deps.store.list().map((record) => serviceView(record, at)));
  });
  routes.get('/services/:id', (c) => {
    const id = c.req.param('id');
    const record = deps.store.get(id);
    if (!record) throw notFound(id);
    return c.json(serviceView(record, now()));
  });
  routes.delete('/services/:id', requireToken(deps.registerToken), async (c) => {
    const id = c.req.param('id');
    if (!(await deps.store.deregister(id))) throw notFound(id);
    return c.body(null, 204);
  });
  return routes;
}
