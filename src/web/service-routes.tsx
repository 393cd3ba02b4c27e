// GET /ui/services/:id, the page of one service, behind the same STATUS_TOKEN as the status page.
import { Hono } from 'hono';
import type { ApiDeps } from '../api/deps.js';
import { ApiError } from '../api/errors.js';
import { ageSec, isStale } from '../api/views.js';
import { responseSeries, rangeStart } from './response-series.js';
import { MissingServicePage, ServicePage, TRANSITIONS_PER_PAGE, type ServicePageProps } from './page/service-page.js';
import { parseServiceQuery } from './page/service-query.js';
import type { RollupCache } from './rollup-cache.js';
import { rowUptime } from './row-uptime.js';
import { nonceOf, type StatusPageSettings } from './status-settings.js';

export function serviceRoutes(deps: ApiDeps, settings: StatusPageSettings, rollups: RollupCache): Hono {
  const routes = new Hono();
  routes.get('/ui/services/:id', async (c) => {
    const id = c.req.param('id');
    const nonce = nonceOf(c);
    c.header('cache-control', 'no-store');
    const query = parseServiceQuery({ range: c.req.query('range'), before: c.req.query('before') });
    if ('problem' in query) throw new ApiError(400, 'invalid_query', query.problem);
    const record = deps.store.get(id);
    if (!record) return c.html(<MissingServicePage nonce={nonce} id={id} />, 404);
    const now = deps.now?.() ?? Date.now();
    const [hours, daily, transitions] = await Promise.all([
      deps.store.hourlyAggregates(id, rangeStart(query.range, now)),
      rollups.get([id]),
      deps.store.history(id, { limit: TRANSITIONS_PER_PAGE, beforeId: query.before }),
    ]);
    const { state, request } = record;
    const last = transitions[transitions.length - 1];
    const props: ServicePageProps = {
      nonce,
      id,
      url: settings.showUrls ? request.url : null,
      health: state.health,
      ready: state.ready,
      reason: state.reason,
      lastCheckedAgeSec: ageSec(record, now),
      stale: isStale(record, now),
      lastResponseMs: state.lastResponseMs,
      lastError: state.lastError,
      errorRate: state.errorRate,
      recentErrorRate: state.recentErrorRate,
      requestCount: state.sample?.requestCount ?? 0,
      errorCount: state.sample?.errorCount ?? 0,
      pollIntervalSec: record.settings.intervalMs / 1000,
      registeredAt: new Date(record.registeredAt).toISOString(),
      attributes: request.attributes,
      healthAttributes: state.healthAttributes,
      dependencies: (request.dependsOn ?? []).map((dependency) => ({
        id: dependency,
        health: deps.store.get(dependency)?.state.health ?? 'unknown',
      })),
      ...rowUptime(daily.get(id)),
      range: query.range,
      series: responseSeries(hours, query.range, now),
      transitions: transitions.map((transition) => ({
        id: transition.id,
        at: new Date(transition.at).toISOString().replace('T', ' ').slice(0, 19),
        from: transition.from,
        to: transition.to,
        reason: transition.reason,
      })),
      nextBefore: transitions.length === TRANSITIONS_PER_PAGE && last ? last.id : null,
      older: query.before !== null,
    };
    return c.html(<ServicePage {...props} />);
  });
  return routes;
}
