// The registry as resources: list, read one, delete one.
import { Hono } from 'hono';
import { z } from 'zod';
import { requireToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { serviceNotFound } from '../errors.js';
import { isHead } from '../head.js';
import {
  errorResponses,
  jsonResponse,
  requiresToken,
  SERVICE_NOT_FOUND,
  serviceIdParams,
  SHUTTING_DOWN,
  STORAGE_UNAVAILABLE,
  UNAUTHORIZED,
  type DocumentRoutes,
} from '../route-docs.js';
import { contextOf, serviceView, serviceViewSchema } from '../views.js';

export function serviceRoutes(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const routes = new Hono();
  const context = contextOf(deps.store);
  routes.get('/services', (c) => {
    // HEAD: every service's view is not built to be thrown away.
    if (isHead(c)) return c.body(null, 200, { 'Content-Type': 'application/json' });
    const at = now();
    return c.json(deps.store.list().map((record) => serviceView(record, at, context)));
  });
  routes.get('/services/:id', (c) => {
    const id = c.req.param('id');
    const record = deps.store.get(id);
    if (!record) throw serviceNotFound(id);
    return c.json(serviceView(record, now(), context));
  });
  routes.delete('/services/:id', requireToken(deps.registerToken), async (c) => {
    const id = c.req.param('id');
    if (!(await deps.store.deregister(id))) throw serviceNotFound(id);
    return c.body(null, 204);
  });
  return routes;
}

export const documentServiceRoutes: DocumentRoutes = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/services',
    summary: 'Every service with its settings and state, sorted by id',
    responses: { 200: jsonResponse('The services', z.array(serviceViewSchema)) },
  });
  registry.registerPath({
    method: 'get',
    path: '/services/{id}',
    summary: 'One service with its settings and state',
    request: { params: serviceIdParams },
    responses: { 200: jsonResponse('The service', serviceViewSchema), ...errorResponses({ 404: SERVICE_NOT_FOUND }) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/services/{id}',
    summary: 'Deregister a service; its history goes with it',
    security: requiresToken,
    request: { params: serviceIdParams },
    responses: {
      204: { description: 'Deregistered' },
      ...errorResponses({
        401: UNAUTHORIZED,
        404: SERVICE_NOT_FOUND,
        503: `${STORAGE_UNAVAILABLE}; ${SHUTTING_DOWN}`,
      }),
    },
  });
};
