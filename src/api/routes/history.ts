// A service's past: its state transitions (paged, newest first) and its uptime over fixed windows.
import { Hono } from 'hono';
import { z } from 'zod';
import type { StoredTransition } from '../../store/persistence.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { issuesToDetails } from '../registration-schema.js';

const MAX_PAGE = 1000;

const historyQuery = z.strictObject(
  {
    limit: z
      .string()
      .regex(/^\d+$/, `must be a whole number from 1 to ${MAX_PAGE}`)
      .transform(Number)
      .pipe(z.number().min(1, 'must be at least 1').max(MAX_PAGE, `must be at most ${MAX_PAGE}`))
      .optional(),
    before: z.string().regex(/^\d+$/, 'must be a transition id from an earlier page').transform(Number).optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? 'is not a known parameter' : 'invalid query') },
);

function transitionView(transition: StoredTransition) {
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
    if (!deps.store.get(id)) throw new ApiError(404, 'service_not_found', `no service is registered with id "${id}"`);
  };
  routes.get('/services/:id/history', async (c) => {
    const id = c.req.param('id');
    requireService(id);
    const query = historyQuery.safeParse(c.req.query());
    if (!query.success) {
      const details = issuesToDetails(query.error.issues);
      throw new ApiError(400, 'invalid_query', `invalid query: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`, details);
    }
    const limit = query.data.limit ?? 50;
    const transitions = await deps.store.history(id, { limit, beforeId: query.data.before ?? null });
    const last = transitions[transitions.length - 1];
    return c.json({
      service: id,
      transitions: transitions.map(transitionView),
      // Another page may exist only when this one is full.
      next_before: transitions.length === limit && last ? last.id : null,
    });
  });
  routes.get('/services/:id/uptime', async (c) => {
    const id = c.req.param('id');
    requireService(id);
    return c.json({ service: id, windows: await deps.store.uptime(id) });
  });
  return routes;
}
