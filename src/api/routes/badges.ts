// GET /badges/:id/health.svg and /badges/:id/uptime.svg: a service's health and uptime as SVG badges
// for READMEs and status pages, cached briefly and revalidated by ETag.
import { createHash } from 'node:crypto';
import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { UPTIME_WINDOWS, type Health, type UptimeSummary, type UptimeWindow } from '../../domain/index.js';
import { renderBadge, type Badge, type BadgeColour } from '../../web/badge-svg.js';
import { uptimePercentText } from '../../web/uptime-text.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { errorResponses, serviceIdParams, SHUTTING_DOWN, type DocumentRoutes } from '../route-docs.js';

export const BADGE_CONTENT_TYPE = 'image/svg+xml; charset=utf-8';
// Short: a badge follows the service within half a minute, and ETags make the refresh cheap.
export const BADGE_CACHE_CONTROL = 'public, max-age=30';
export const DEFAULT_WINDOW: UptimeWindow = '24h';

const GREEN: BadgeColour = '#4c1';
const YELLOW_GREEN: BadgeColour = '#a4a61d';
const YELLOW: BadgeColour = '#dfb317';
const ORANGE: BadgeColour = '#fe7d37';
const RED: BadgeColour = '#e05d44';
const GREY: BadgeColour = '#9f9f9f';

export const HEALTH_COLOURS: Readonly<Record<Health, BadgeColour>> = {
  healthy: GREEN,
  degraded: YELLOW,
  unhealthy: ORANGE,
  dead: RED,
  unknown: GREY,
};

const WINDOW_NAMES = Object.keys(UPTIME_WINDOWS) as [UptimeWindow, ...UptimeWindow[]];
const isWindow = (value: string): value is UptimeWindow => Object.hasOwn(UPTIME_WINDOWS, value);

/** The thresholds compare the exact ratio, not the cut text. */
export function uptimeColour(successes: number, probes: number): BadgeColour {
  const atLeast = (per1000: number): boolean => successes * 1000 >= probes * per1000;
  if (atLeast(999)) return GREEN;
  if (atLeast(990)) return YELLOW_GREEN;
  if (atLeast(950)) return YELLOW;
  return RED;
}

export function uptimeBadge(window: UptimeWindow, summary: UptimeSummary | null): Omit<Badge, 'title'> {
  const label = `uptime ${window}`;
  if (summary === null) return { label, message: 'unknown', colour: GREY };
  if (summary.probes === 0) return { label, message: 'no data', colour: GREY };
  return {
    label,
    message: uptimePercentText(summary.successes, summary.probes),
    colour: uptimeColour(summary.successes, summary.probes),
  };
}

/** A strong validator: the same body gives the same tag, on any replica. */
function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 13.1.2): a `W/` prefix does not matter. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

function badgeAnswer(c: Context, subject: string, badge: Omit<Badge, 'title'>): Response {
  // The id names the service for a screen reader; the renderer escapes it like every other string.
  const svg = renderBadge({ ...badge, title: `${subject} ${badge.label}: ${badge.message}` });
  const etag = etagOf(svg);
  const caching = { ETag: etag, 'Cache-Control': BADGE_CACHE_CONTROL };
  if (matchesIfNoneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304, caching);
  return c.body(svg, 200, { ...caching, 'Content-Type': BADGE_CONTENT_TYPE });
}

export function badgeRoutes(deps: ApiDeps): Hono {
  const routes = new Hono();
  // An unknown id is a grey `unknown` badge, not an error: an image tag shows no error page.
  routes.get('/badges/:id/health.svg', (c) => {
    const id = c.req.param('id');
    const health = deps.store.get(id)?.state.health ?? 'unknown';
    return badgeAnswer(c, id, { label: 'health', message: health, colour: HEALTH_COLOURS[health] });
  });
  routes.get('/badges/:id/uptime.svg', async (c) => {
    const id = c.req.param('id');
    const asked = c.req.query('window') ?? DEFAULT_WINDOW;
    if (!isWindow(asked)) {
      const message = `must be one of ${WINDOW_NAMES.join(', ')}`;
      throw new ApiError(400, 'invalid_query', `invalid query: window ${message}`, [{ field: 'window', message }]);
    }
    const summary = deps.store.get(id) ? (await deps.store.uptime(id))[asked] : null;
    return badgeAnswer(c, id, uptimeBadge(asked, summary));
  });
  return routes;
}

const badgeQuery = z.object({
  window: z
    .enum(WINDOW_NAMES)
    .optional()
    .meta({ default: DEFAULT_WINDOW, description: 'The window: whole hours counted back from the current one' }),
});

const conditionalHeaders = z.object({
  'if-none-match': z.string().optional().meta({ description: 'An ETag of an earlier answer: 304 if unchanged' }),
});

function svgResponse(description: string): ResponseConfig {
  return {
    description,
    headers: {
      ETag: { description: 'A hash of the body', schema: { type: 'string' } },
      'Cache-Control': { description: `\`${BADGE_CACHE_CONTROL}\``, schema: { type: 'string' } },
    },
    content: { 'image/svg+xml': { schema: z.string().meta({ description: 'A shields.io "flat" style badge' }) } },
  };
}

const NOT_MODIFIED: ResponseConfig = {
  description: 'If-None-Match named the current ETag: no body, the same ETag and Cache-Control',
};

export const documentBadgeRoutes: DocumentRoutes = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/badges/{id}/health.svg',
    summary: "A service's health as an SVG badge",
    description:
      'The message is the health (`healthy`, `degraded`, `unhealthy`, `dead`, `unknown`) on green, yellow, ' +
      'orange, red or grey. An unknown id answers 200 with a grey `unknown` badge.',
    request: { params: serviceIdParams, headers: conditionalHeaders },
    responses: { 200: svgResponse('The badge'), 304: NOT_MODIFIED },
  });
  registry.registerPath({
    method: 'get',
    path: '/badges/{id}/uptime.svg',
    summary: "A service's uptime over a window as an SVG badge",
    description:
      'The message is the share of probes that found the service ready, with at most 2 decimals and never ' +
      'rounded up (`99.95%`), or `no data` without probes in the window: green from 99.9%, yellow-green from 99%, ' +
      'yellow from 95%, red below. An unknown id answers 200 with a grey `unknown` badge.',
    request: { params: serviceIdParams, query: badgeQuery, headers: conditionalHeaders },
    responses: {
      200: svgResponse('The badge'),
      304: NOT_MODIFIED,
      ...errorResponses({
        400: `\`invalid_query\`: \`window\` is not one of ${WINDOW_NAMES.join(', ')}`,
        503: SHUTTING_DOWN,
      }),
    },
  });
};
