// Which representation GET /metrics answers with: `?format=` when given, else the Accept header.
import { ApiError } from './errors.js';

/** The values of `?format=`; the OpenAPI document's enum is built from this list too. */
export const METRICS_FORMATS = ['json', 'prometheus'] as const;

export type MetricsFormat = (typeof METRICS_FORMATS)[number];

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

/** The ranges of an Accept header; a malformed one is skipped, as if it were not there. */
export function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mediaType = '', ...params] = part.split(';');
    const match = /^\s*([!#$%&'*+.^_`|~\w-]+)\/([!#$%&'*+.^_`|~\w-]+)\s*$/.exec(mediaType);
    if (!match?.[1] || !match[2]) continue;
    let q = 1;
    for (const param of params) {
      const [name = '', value = ''] = param.split('=');
      if (name.trim().toLowerCase() !== 'q') continue;
      const parsed = /^\s*(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/.test(value) ? Number(value) : Number.NaN;
      q = Number.isNaN(parsed) ? -1 : parsed;
    }
    if (q >= 0) ranges.push({ type: match[1].toLowerCase(), subtype: match[2].toLowerCase(), q });
  }
  return ranges;
}

interface Match {
  /** 2 for `type/subtype`, 1 for `type/*`, 0 for the full wildcard, -1 when no range matches. */
  readonly specificity: number;
  readonly q: number;
}

// The most specific range matching `type/subtype` decides its q, as RFC 9110 says.
function match(ranges: readonly MediaRange[], type: string, subtype: string): Match {
  let best: Match = { specificity: -1, q: 0 };
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 2
        : range.type === type && range.subtype === '*'
          ? 1
          : range.type === '*' && range.subtype === '*'
            ? 0
            : -1;
    if (specificity < 0) continue;
    // Among equally specific ranges (Prometheus sends openmetrics twice, with two versions) the best q counts.
    if (specificity > best.specificity || (specificity === best.specificity && range.q > best.q))
      best = { specificity, q: range.q };
  }
  return best;
}

// Prometheus text when the client prefers text/plain, or names application/openmetrics-text, over
// application/json. JSON on a tie (a bare wildcard, a browser's Accept), and when nothing matches:
// JSON is the default, what clients written for the Go reference monitor expect.
export function formatFromAccept(header: string | undefined): MetricsFormat {
  if (header === undefined || header.trim() === '') return 'json';
  const ranges = parseAccept(header);
  const json = match(ranges, 'application', 'json').q;
  const text = match(ranges, 'text', 'plain').q;
  // OpenMetrics is answered with the text format (see docs/prometheus.md), so only a range naming it
  // counts: a wildcard already counted for text/plain.
  const openMetrics = match(ranges, 'application', 'openmetrics-text');
  const prometheus = Math.max(text, openMetrics.specificity === 2 ? openMetrics.q : 0);
  return prometheus > json ? 'prometheus' : 'json';
}

/** `?format=` wins over Accept; an unknown value is a 400. */
export function metricsFormat(formatParam: string | undefined, accept: string | undefined): MetricsFormat {
  if (formatParam === undefined) return formatFromAccept(accept);
  const format = METRICS_FORMATS.find((known) => known === formatParam);
  if (format) return format;
  const message = `must be one of ${METRICS_FORMATS.join(', ')}, not "${formatParam.slice(0, 40)}"`;
  throw new ApiError(400, 'invalid_query', `invalid query: format ${message}`, [{ field: 'format', message }]);
}
