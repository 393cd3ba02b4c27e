// A service's past: its state transitions (paged, newest first) and its uptime over fixed windows.
import { Hono } from 'hono';
import { z } from 'zod';
import { HEALTH_STATES, type HealthVerdict, type UptimeSummary, type UptimeWindow } from '../../domain/index.js';
import type { StoredTransition } from '../../store/persistence.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, serviceNotFound } from '../errors.js';
import { issuesToDetails } from '../registration-schema.js';
import {
  errorResponses,
  jsonResponse,
  SERVICE_NOT_FOUND,
  serviceIdParams,
  SHUTTING_DOWN,
  type DocumentRoutes,
} from '../route-docs.js';

const MAX_PAGE = 1000;
const DEFAULT_PAGE = 50;

export const historyQuery = z.strictObject(
  {
    limit: z
      .string()
      .regex(/^\d+$/, `must be a whole number from 1 to ${MAX_PAGE}`)
      .transform(Number)
      // Digits past 1e308 read as Infinity, which is not a number to zod: said in the same words.
      .pipe(
        z
          .number({ error: `must be a whole number from 1 to ${MAX_PAGE}` })
          .min(1, 'must be at least 1')
          .max(MAX_PAGE, `must be at most ${MAX_PAGE}`),
      )
      .optional()
      // A query value is text; the document says what the text must spell, as clients think of it.
      .meta({
        type: 'integer',
        minimum: 1,
        maximum: MAX_PAGE,
        default: DEFAULT_PAGE,
        description: 'Transitions per page',
      }),
    before: z
      .string()
      .regex(/^\d+$/, 'must be a transition id from an earlier page')
      .transform(Number)
      .optional()
      .meta({ type: 'integer', minimum: 0, description: "The previous page's `next_before`: only older transitions" }),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? 'is not a known parameter' : 'invalid query') },
);

const verdictSchema = z
  .object({ health: z.enum(HEALTH_STATES), ready: z.boolean() })
  .readonly() satisfies z.ZodType<HealthVerdict>;

const transitionSchema = z
  .object({
    id: z.number().int().positive().meta({ description: 'Increasing; the paging cursor' }),
    from: verdictSchema,
    to: verdictSchema,
    reason: z.string(),
    at: z.iso.datetime(),
  })
  .readonly()
  .meta({ id: 'Transition', description: "A change of a service's health or readiness" });

export const historyPageSchema = z
  .object({
    service: z.string(),
    transitions: z.array(transitionSchema).readonly().meta({ description: 'Newest first' }),
    next_before: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'The `before` of the next page; `null` when this page is the last' }),
  })
  .readonly()
  .meta({ id: 'HistoryPage' });

const uptimeSummarySchema = z
  .object({
    probes: z.number().int().min(0),
    successes: z.number().int().min(0).meta({ description: 'Probes that found the service ready' }),
    uptime_percent: z.number().min(0).max(100).nullable().meta({ description: '`null` without probes in the window' }),
    mean_response_ms: z.number().min(0).nullable(),
    p95_response_ms: z.number().min(0).nullable(),
  })
  .readonly()
  .meta({ id: 'UptimeSummary' }) satisfies z.ZodType<UptimeSummary>;

// Written out so the type is exact; the annotation on the route's answer and the `satisfies` keep
// the keys equal to UPTIME_WINDOWS in both directions.
const uptimeWindowsSchema = z
  .object({
    '24h': uptimeSummarySchema,
    '7d': uptimeSummarySchema,
    '30d': uptimeSummarySchema,
    '1y': uptimeSummarySchema,
  })
  .readonly()
  .meta({ description: 'Whole hours counted back from the current one' }) satisfies z.ZodType<
  Record<UptimeWindow, UptimeSummary>
>;

export const uptimeSchema = z
  .object({ service: z.string(), windows: uptimeWindowsSchema })
  .readonly()
  .meta({ id: 'Uptime' });

function transitionView(transition: StoredTransition): z.output<typeof transitionSchema> {
  return {
    id: transition.id,
    from: transition.from,
    to: transition.to,
    reason: transition.reason,
    at: new Date(transition.at).toISOString(),
  };
}

export function historyRoutes(deps: ApiDeps): Hono {
  const routes = new Hono();
  const requireService = (id: string): void => {
    if (!deps.store.get(id)) throw serviceNotFound(id);
  };
  routes.get('/services/:id/history', async (c) => {
    const id = c.req.param('id');
    requireService(id);
    const query = historyQuery.safeParse(c.req.query());
    if (!query.success) {
      const details = issuesToDetails(query.error.issues);
      throw new ApiError(
        400,
        'invalid_query',
        `invalid query: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`,
        details,
      );
    }
    const limit = query.data.limit ?? DEFAULT_PAGE;
    const transitions = await deps.store.history(id, { limit, beforeId: query.data.before ?? null });
    const last = transitions[transitions.length - 1];
    const page: z.output<typeof historyPageSchema> = {
      service: id,
      transitions: transitions.map(transitionView),
      // Another page may exist only when this one is full.
      next_before: transitions.length === limit && last ? last.id : null,
    };
    return c.json(page);
  });
  routes.get('/services/:id/uptime', async (c) => {
    const id = c.req.param('id');
    requireService(id);
    const uptime: z.output<typeof uptimeSchema> = { service: id, windows: await deps.store.uptime(id) };
    return c.json(uptime);
  });
  return routes;
}

export const documentHistoryRoutes: DocumentRoutes = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/services/{id}/history',
    summary: "A service's state transitions, newest first, a page at a time",
    request: { params: serviceIdParams, query: historyQuery },
    responses: {
      200: jsonResponse('One page of transitions', historyPageSchema),
      ...errorResponses({
        400: '`invalid_query`: a bad or unknown query parameter, one `details` entry each',
        404: SERVICE_NOT_FOUND,
        503: SHUTTING_DOWN,
      }),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/services/{id}/uptime',
    summary: "A service's uptime and response times over the last 24 hours, 7, 30 and 365 days",
    request: { params: serviceIdParams },
    responses: {
      200: jsonResponse('One summary per window', uptimeSchema),
      ...errorResponses({ 404: SERVICE_NOT_FOUND, 503: SHUTTING_DOWN }),
    },
  });
};
