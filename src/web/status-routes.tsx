// The status page's routes: GET /, its live parts and its assets. Off with STATUS_PAGE=off; behind STATUS_TOKEN when set.
import { Hono } from 'hono';
import type { ApiDeps } from '../api/deps.js';
import { ApiError } from '../api/errors.js';
import { impactedBy } from '../domain/index.js';
import { isStale, ageSec } from '../api/views.js';
import { countHealth, overallOf } from './overall.js';
import { ASSET_ROOT, clientAsset } from './client-asset.js';
import { LIVE_PATH, LiveParts, StatusPage, type StatusPageProps, type StatusRow } from './page/status-page.js';
import { matchesSearch, matchesState, PAGE_SIZE, parseStatusQuery } from './page/status-query.js';
import { RollupCache } from './rollup-cache.js';
import { rowUptime } from './row-uptime.js';
import { requireStatusToken } from './status-auth.js';
import { serviceRoutes } from './service-routes.js';
import { nonceOf, type StatusPageSettings } from './status-settings.js';

async function pageProps(
  deps: ApiDeps,
  cache: RollupCache,
  settings: StatusPageSettings,
  params: Record<string, string>,
  nonce: string,
): Promise<StatusPageProps> {
  const query = parseStatusQuery({ state: params['state'], q: params['q'], page: params['page'] });
  if ('problem' in query) throw new ApiError(400, 'invalid_query', query.problem);
  const now = deps.now?.() ?? Date.now();
  // Ids are ASCII ([A-Za-z0-9._:-]): code-unit order is their order, many times cheaper than localeCompare.
  const records = [...deps.store.list()].sort((a, b) =>
    a.request.id < b.request.id ? -1 : a.request.id > b.request.id ? 1 : 0,
  );
  const counts = countHealth(records.map((record) => record.state.health));
  const matching = records.filter(
    (record) =>
      matchesState(record.state.health, query.state) &&
      matchesSearch(record.request.id, record.request.attributes, query.search),
  );
  const shown = matching.slice((query.page - 1) * PAGE_SIZE, query.page * PAGE_SIZE);
  const rollups = await cache.get(shown.map((record) => record.request.id));
  const rows: StatusRow[] = shown.map((record) => ({
    id: record.request.id,
    url: settings.showUrls ? record.request.url : null,
    health: record.state.health,
    ready: record.state.ready,
    reason: record.state.reason,
    impactedBy: impactedBy(record.request.dependsOn, (id) => deps.store.get(id)?.state.health),
    maintenanceUntil: deps.store.maintenanceFor(record.request.id)?.until ?? null,
    lastCheckedAgeSec: ageSec(record, now),
    lastResponseMs: record.state.lastResponseMs,
    stale: isStale(record, now),
    attributes: record.request.attributes,
    ...rowUptime(rollups.get(record.request.id)),
  }));
  return {
    nonce,
    overall: overallOf(counts),
    counts,
    total: records.length,
    rows,
    matching: matching.length,
    query,
    pageCount: Math.max(1, Math.ceil(matching.length / PAGE_SIZE)),
    groupKeys: settings.groupBy,
  };
}

export function statusRoutes(deps: ApiDeps, settings: StatusPageSettings): Hono {
  const routes = new Hono();
  const cache = new RollupCache((ids) => deps.store.dailyUptime(ids, settings.historyRetentionDays), deps.now);
  // A replaced registration may have dropped its history; a deleted one has none.
  deps.store.events.on('registered', (event) => cache.forget(event.service.request.id));
  deps.store.events.on('deregistered', (event) => cache.forget(event.serviceId));
  routes.use('/', requireStatusToken(settings.token));
  routes.use('/ui/*', requireStatusToken(settings.token));
  routes.get(`${ASSET_ROOT}:name`, (c) => {
    const asset = clientAsset(c.req.param('name'));
    if (asset === null) throw new ApiError(404, 'not_found', `no asset is named "${c.req.param('name').slice(0, 60)}"`);
    c.header('etag', asset.etag);
    c.header('cache-control', 'no-cache');
    if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
    return c.body(asset.body, 200, { 'content-type': asset.type });
  });
  routes.get('/', async (c) => {
    const props = await pageProps(deps, cache, settings, c.req.query(), nonceOf(c));
    c.header('cache-control', 'no-store');
    return c.html(<StatusPage {...props} />);
  });
  routes.get(LIVE_PATH, async (c) => {
    const props = await pageProps(deps, cache, settings, c.req.query(), '');
    c.header('cache-control', 'no-store');
    return c.html(<LiveParts {...props} />);
  });
  routes.route('/', serviceRoutes(deps, settings, cache));
  return routes;
}
