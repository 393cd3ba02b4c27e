// Parsing a service's /health answer into counters and attributes, or a reason it is invalid.

export interface HealthReport {
  readonly uptimeSec: number | null;
  readonly requestCount: number | null;
  readonly errorCount: number | null;
  readonly attributes: Readonly<Record<string, string>>;
}

export type ParsedHealthBody =
  { readonly ok: true; readonly report: HealthReport } | { readonly ok: false; readonly error: string };

/**
 * Bounds on what a target may put into our memory, our database and our API answers through its
 * attributes (lengths in UTF-16 code units, as JavaScript counts them). Attributes are kept in body
 * order while they fit: a longer key or a value that is not a string, number or boolean is skipped,
 * a longer value is cut, and the first attribute that would pass `maxEntries` or `maxTotalLength`
 * (keys and kept values together) ends the list. So a service's /health attributes never hold more
 * than 16 Ki characters, whatever its 1 MiB body carries.
 */
export const HEALTH_ATTRIBUTE_LIMITS = {
  maxEntries: 64,
  maxKeyLength: 128,
  maxValueLength: 1024,
  maxTotalLength: 16 * 1024,
} as const;

const EMPTY_REPORT: HealthReport = { uptimeSec: null, requestCount: null, errorCount: null, attributes: {} };

function claimsJson(contentType: string | null, text: string): boolean {
  if (contentType !== null && /[/+]json\b/i.test(contentType)) return true;
  // Go's net/http labels an unlabelled JSON body text/plain, so the reference's services look like this.
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}

const COUNTER_FIELDS = ['uptime_sec', 'request_count', 'error_count'] as const;

/** Counters are optional, but one that is present must be a non-negative integer. */
function counterProblem(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return `${field} is not an integer`;
  return value < 0 ? `${field} is negative` : null;
}

function counterValue(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * At most `max` UTF-16 units of well-formed text: a cut never leaves half a surrogate pair, and half a
 * pair sent as a JSON escape (`"\ud800"`) becomes U+FFFD, as any UTF-8 output would show it.
 */
function wellFormedPrefix(text: string, max: number): string {
  const cut =
    text.length > max && /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? text.slice(0, max - 1) : text.slice(0, max);
  return cut.replace(LONE_SURROGATE, '\ufffd');
}

function readAttributes(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const kept: [string, string][] = [];
  let total = 0;
  for (const key of Object.keys(value)) {
    if (key.length > HEALTH_ATTRIBUTE_LIMITS.maxKeyLength) continue;
    const raw: unknown = (value as Record<string, unknown>)[key];
    const text =
      typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : null;
    if (text === null) continue;
    const cut = wellFormedPrefix(text, HEALTH_ATTRIBUTE_LIMITS.maxValueLength);
    total += key.length + cut.length;
    if (kept.length === HEALTH_ATTRIBUTE_LIMITS.maxEntries || total > HEALTH_ATTRIBUTE_LIMITS.maxTotalLength) break;
    kept.push([wellFormedPrefix(key, HEALTH_ATTRIBUTE_LIMITS.maxKeyLength), cut]);
  }
  // Own data properties, "__proto__" included: an assignment to that key would be silently ignored.
  return Object.fromEntries(kept);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8');

/**
 * A 200 answer's body as it came off the wire. JSON must be UTF-8 (RFC 8259): a body that claims to
 * be JSON but is not valid UTF-8 is invalid, where Go's decoder would quietly put U+FFFD into its
 * attributes. A plain-text body's content is never read, so its encoding does not matter. A leading
 * byte-order mark is dropped.
 */
export function parseHealthBytes(bytes: Uint8Array, contentType: string | null): ParsedHealthBody {
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    if (!claimsJson(contentType, LENIENT_UTF8.decode(bytes))) return { ok: true, report: EMPTY_REPORT };
    return { ok: false, error: 'body is not valid UTF-8' };
  }
  return parseHealthBody(text, contentType);
}

/**
 * A 200 answer's body. An empty or plain-text body (`OK`) is a healthy answer without counters;
 * a body that claims to be JSON must parse and carry consistent counters.
 */
export function parseHealthBody(text: string, contentType: string | null): ParsedHealthBody {
  if (text.trim() === '' || !claimsJson(contentType, text)) return { ok: true, report: EMPTY_REPORT };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: 'body is not valid JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'body is JSON but not an object' };
  }
  const fields = body as Record<string, unknown>;
  for (const field of COUNTER_FIELDS) {
    const problem = counterProblem(field, fields[field]);
    if (problem !== null) return { ok: false, error: problem };
  }
  const counters = {
    uptimeSec: counterValue(fields['uptime_sec']),
    requestCount: counterValue(fields['request_count']),
    errorCount: counterValue(fields['error_count']),
  };
  if (counters.errorCount !== null && counters.requestCount !== null && counters.errorCount > counters.requestCount) {
    return { ok: false, error: 'error_count is greater than request_count' };
  }
  return { ok: true, report: { ...counters, attributes: readAttributes(fields['attributes']) } };
}
