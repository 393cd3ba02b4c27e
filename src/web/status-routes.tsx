// The status page's routes: GET / for now. Off with STATUS_PAGE=off; behind STATUS_TOKEN when set.
import { Hono } from 'hono';
import type { ApiDeps } from '../api/deps.js';
import { ApiError } from '../api/errors.js';
import { isStale, ageSec } from '../api/views.js';
import { countHealth, overallOf } from './overall.js';
import { statusClientScript } from './client-asset.js';
import {
  CLIENT_SCRIPT_PATH,
  LIVE_PATH,
  LiveParts,
  StatusPage,
  type StatusPageProps,
  type StatusRow,
} from './page/status-page.js';
import { matchesSearch, matchesState, PAGE_SIZE, parseStatusQuery } from './page/status-query.js';
import { requireStatusToken } from './status-auth.js';

export interface StatusPageSettings {
  readonly groupBy: readonly string[];
  readonly showUrls: boolean;
  readonly token: string | null;
}

/** The nonce the secure-headers middleware put in this answer's Content-Security-Policy. */
export const NONCE_KEY = 'secureHeadersNonce';

function pageProps(
  deps: ApiDeps,
  settings: StatusPageSettings,
  params: Record<string, string>,
  nonce: unknown,
): StatusPageProps {
  const query = parseStatusQuery({ state: params['state'], q: params['q'], page: params['page'] });
  if ('problem' in query) throw new ApiError(400, 'invalid_query', query.problem);
  const now = deps.now?.() ?? Date.now();
  const records = [...deps.store.list()].sort((a, b) => a.request.id.localeCompare(b.request.id));
  const counts = countHealth(records.map((record) => record.state.health));
  const matching = records.filter(
    (record) =>
      matchesState(record.state.health, query.state) &&
      matchesSearch(record.request.id, record.request.attributes, query.search),
  );
  const rows: StatusRow[] = matching.slice((query.page - 1) * PAGE_SIZE, query.page * PAGE_SIZE).map((record) => ({
    id: record.request.id,
    url: settings.showUrls ? record.request.url : null,
    health: record.state.health,
    ready: record.state.ready,
    reason: record.state.reason,
    lastCheckedAgeSec: ageSec(record, now),
    lastResponseMs: record.state.lastResponseMs,
    stale: isStale(record, now),
    attributes: record.request.attributes,
  }));
  return {
    nonce: typeof nonce === 'string' ? nonce : '',
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
  routes.use('/', requireStatusToken(settings.token));
  routes.use('/ui/*', requireStatusToken(settings.token));
  routes.get(CLIENT_SCRIPT_PATH, (c) => {
    const script = statusClientScript();
    c.header('etag', script.etag);
    c.header('cache-control', 'no-cache');
    if (c.req.header('if-none-match') === script.etag) return c.body(null, 304);
    return c.body(script.body, 200, { 'content-type': 'text/javascript; charset=utf-8' });
  });
  routes.get('/', (c) => {
    const props = pageProps(deps, settings, c.req.query(), c.get(NONCE_KEY as never));
    c.header('cache-control', 'no-store');
    return c.html(<StatusPage {...props} />);
  });
  routes.get(LIVE_PATH, (c) => {
    const props = pageProps(deps, settings, c.req.query(), '');
    c.header('cache-control', 'no-store');
    return c.html(<LiveParts {...props} />);
  });
  return routes;
}
