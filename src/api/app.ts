// The Hono app: routes, secure headers, 404/405 and the one place errors become responses.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { StoreClosedError } from '../store/store.js';
import { StorageError } from '../store/persistence.js';
import { limitBody } from './body-limit.js';
import type { ApiDeps } from './deps.js';
import { ApiError, errorResponse } from './errors.js';
import { allowedMethods } from './method-not-allowed.js';
import { badgeRoutes } from './routes/badges.js';
import { statusRoutes } from '../web/status-routes.js';
import { clusterRoutes } from './routes/cluster.js';
import { eventRoutes } from './routes/events.js';
import { healthzRoutes } from './routes/healthz.js';
import { historyRoutes } from './routes/history.js';
import { maintenanceRoutes } from './routes/maintenance.js';
import { metricsRoutes } from './routes/metrics.js';
import { openapiRoutes } from './routes/openapi.js';
import { registerRoutes } from './routes/register.js';
import { serviceRoutes } from './routes/services.js';
import { secureHeadersMiddleware } from './secure-headers.js';

export function createApp(deps: ApiDeps): Hono {
  const app = new Hono();
  // First, so every answer carries them: errors, 404/405, the event stream.
  app.use(secureHeadersMiddleware);
  app.use(limitBody);
  app.route('/', registerRoutes(deps));
  app.route('/', serviceRoutes(deps));
  app.route('/', historyRoutes(deps));
  app.route('/', maintenanceRoutes(deps));
  app.route('/', metricsRoutes(deps));
  app.route('/', healthzRoutes(deps));
  app.route('/', eventRoutes(deps));
  app.route('/', clusterRoutes(deps));
  app.route('/', badgeRoutes(deps));
  if (deps.statusPage !== undefined) app.route('/', statusRoutes(deps, deps.statusPage));
  app.route('/', openapiRoutes());

  const methodsFor = allowedMethods(app.routes);
  app.notFound((c) => {
    const methods = methodsFor(c.req.path);
    if (methods.length > 0) {
      return errorResponse(
        c,
        new ApiError(
          405,
          'method_not_allowed',
          `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(', ')}`,
          [],
          {
            allow: methods.join(', '),
          },
        ),
      );
    }
    // One URL per resource: a trailing slash is not found, and the answer names the path without it.
    const unslashed = c.req.path.length > 1 && c.req.path.endsWith('/') ? c.req.path.slice(0, -1) : null;
    const hint =
      unslashed !== null && methodsFor(unslashed).length > 0 ? `; paths have no trailing slash: ${unslashed}` : '';
    return errorResponse(c, new ApiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}${hint}`));
  });

  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (error instanceof StoreClosedError) {
      return errorResponse(c, new ApiError(503, 'shutting_down', 'the monitor is shutting down; try again shortly'));
    }
    if (error instanceof StorageError) {
      deps.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'write refused: storage failed');
      return errorResponse(c, new ApiError(503, 'storage_unavailable', error.message));
    }
    if (error instanceof HTTPException && error.status < 500) {
      return errorResponse(c, new ApiError(error.status, 'bad_request', error.message || 'bad request'));
    }
    deps.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return errorResponse(c, new ApiError(500, 'internal_error', 'the monitor failed to handle this request'));
  });
  return app;
}
