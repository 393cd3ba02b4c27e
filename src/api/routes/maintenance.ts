// Maintenance windows: POST and DELETE /services/:id/maintenance for one service, /maintenance for
// every service, GET /maintenance for the open ones. Starting and ending need the register token.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { EVERY_SERVICE, MAX_MAINTENANCE_MS, type MaintenanceWindow } from '../../domain/index.js';
import { requireToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, serviceNotFound } from '../errors.js';
import { readBodyText } from '../read-body.js';
import { issuesToDetails } from '../registration-schema.js';
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

const MAX_BODY_BYTES = 4096;
const MAX_REASON = 500;
const MAX_DURATION_SEC = MAX_MAINTENANCE_MS / 1000;

export const maintenanceBody = z
  .strictObject(
    {
      until: z.iso
        .datetime({ offset: true, error: 'must be an RFC 3339 date-time such as 2026-12-08T18:00:00Z' })
        .optional()
        .meta({ description: 'When the window ends; give this or `duration_sec`' }),
      duration_sec: z
        .number({ error: 'must be a number' })
        .int('must be a whole number')
        .positive('must be greater than 0')
        .max(MAX_DURATION_SEC, `must be at most ${MAX_DURATION_SEC} (a year)`)
        .optional()
        .meta({ description: 'How long the window lasts from now; give this or `until`' }),
      reason: z
        .string({ error: 'must be a string' })
        .max(MAX_REASON, `must be at most ${MAX_REASON} characters`)
        .optional()
        .meta({ description: 'Shown with the window' }),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? 'is not a known field' : 'body must be a JSON object') },
  )
  .meta({ id: 'MaintenanceRequest', description: 'A window: `until` or `duration_sec` (exactly one), and a reason' });

const windowSchema = z
  .object({
    scope: z.string().meta({ description: 'The service id, or `*` for every service' }),
    starts_at: z.iso.datetime(),
    until: z.iso.datetime(),
    reason: z.string(),
  })
  .readonly()
  .meta({ id: 'MaintenanceWindow' });

const windowListSchema = z.object({ windows: z.array(windowSchema).readonly() }).readonly();

function windowView(window: MaintenanceWindow): z.output<typeof windowSchema> {
  return {
    scope: window.scope,
    starts_at: new Date(window.startsAt).toISOString(),
    until: new Date(window.until).toISOString(),
    reason: window.reason,
  };
}

function invalid(details: { field: string; message: string }[]): ApiError {
  const summary = details.map((detail) => `${detail.field} ${detail.message}`).join('; ');
  return new ApiError(400, 'invalid_maintenance', `invalid maintenance window: ${summary}`, details);
}

/** The window a request body asks for, or a 400 naming what is wrong. */
async function requestedWindow(c: Context, scope: string, now: number): Promise<MaintenanceWindow> {
  const text = await readBodyText(c, MAX_BODY_BYTES);
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'invalid_json', `body is not valid JSON: ${error instanceof Error ? error.message : ''}`);
  }
  const parsed = maintenanceBody.safeParse(body);
  if (!parsed.success) throw invalid(issuesToDetails(parsed.error.issues));
  const { until, duration_sec: durationSec, reason } = parsed.data;
  if ((until === undefined) === (durationSec === undefined))
    throw invalid([{ field: '(body)', message: 'must give exactly one of until and duration_sec' }]);
  const end = until !== undefined ? Date.parse(until) : now + (durationSec ?? 0) * 1000;
  if (end <= now) throw invalid([{ field: 'until', message: 'must be in the future' }]);
  if (end - now > MAX_MAINTENANCE_MS) throw invalid([{ field: 'until', message: 'must be at most a year away' }]);
  return { scope, startsAt: now, until: end, reason: reason ?? '' };
}

export function maintenanceRoutes(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const routes = new Hono();
  const token = requireToken(deps.registerToken);
  const requireService = (id: string): void => {
    if (!deps.store.get(id)) throw serviceNotFound(id);
  };
  const start = async (c: Context, scope: string) => {
    const window = await requestedWindow(c, scope, now());
    await deps.store.startMaintenance(window);
    return c.json(windowView(window), 201);
  };
  const end = async (c: Context, scope: string, none: string) => {
    if (!(await deps.store.endMaintenance(scope))) throw new ApiError(404, 'maintenance_not_found', none);
    return c.body(null, 204);
  };
  routes.get('/maintenance', (c) => c.json({ windows: deps.store.openWindows().map(windowView) }));
  routes.post('/maintenance', token, (c) => start(c, EVERY_SERVICE));
  routes.delete('/maintenance', token, (c) => end(c, EVERY_SERVICE, 'no window for every service is open'));
  routes.post('/services/:id/maintenance', token, (c) => {
    requireService(c.req.param('id'));
    return start(c, c.req.param('id'));
  });
  routes.delete('/services/:id/maintenance', token, (c) =>
    end(c, c.req.param('id'), `no maintenance window is open for service "${c.req.param('id')}"`),
  );
  return routes;
}

export const documentMaintenanceRoutes: DocumentRoutes = (registry) => {
  const body = { required: true, content: { 'application/json': { schema: maintenanceBody } } };
  const startErrors = {
    400: '`invalid_json` or `invalid_maintenance`: neither or both of `until` and `duration_sec`, a date in the past or over a year away, or a bad field, one `details` entry each',
    401: UNAUTHORIZED,
    503: `${STORAGE_UNAVAILABLE}; ${SHUTTING_DOWN}`,
  };
  registry.registerPath({
    method: 'get',
    path: '/maintenance',
    summary: 'The maintenance windows open now',
    responses: { 200: jsonResponse('For every service (`*`) first, then by service id', windowListSchema) },
  });
  registry.registerPath({
    method: 'post',
    path: '/maintenance',
    summary: 'Open a maintenance window for every service (replacing one open)',
    security: requiresToken,
    request: { body },
    responses: { 201: jsonResponse('The window', windowSchema), ...errorResponses(startErrors) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/maintenance',
    summary: 'End the window for every service early',
    security: requiresToken,
    responses: {
      204: { description: 'Ended' },
      ...errorResponses({ 401: UNAUTHORIZED, 404: '`maintenance_not_found`: none is open', 503: SHUTTING_DOWN }),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/services/{id}/maintenance',
    summary: 'Open a maintenance window for one service (replacing its open one)',
    security: requiresToken,
    request: { params: serviceIdParams, body },
    responses: {
      201: jsonResponse('The window', windowSchema),
      ...errorResponses({ ...startErrors, 404: SERVICE_NOT_FOUND }),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/services/{id}/maintenance',
    summary: "End a service's window early",
    security: requiresToken,
    request: { params: serviceIdParams },
    responses: {
      204: { description: 'Ended' },
      ...errorResponses({
        401: UNAUTHORIZED,
        404: '`maintenance_not_found`: no window is open for the service',
        503: SHUTTING_DOWN,
      }),
    },
  });
};
