// What an accepted registration must look like, written independently of the schema that accepted it:
// the fuzz tests check every 2xx against this, so a schema too lenient to protect the prober shows up.
import assert from 'node:assert/strict';
import type { ProbeDefaults } from '../../src/domain/index.js';
import { errorBodySchema, type ErrorBody } from '../../src/api/errors.js';

const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;

/** JSON text with every invisible character escaped, so a failure message shows what was sent. */
export function show(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).replace(
    /[\u007f-\u00a0\u2028\u2029\u200b-\u200f\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A URL the prober can fetch exactly as written: no text the URL parser would drop or reinterpret. */
function assertFetchableUrl(field: string, text: unknown, schemes: readonly string[] = ['http:', 'https:']): void {
  assert.equal(typeof text, 'string', `${field} accepted as ${typeof text}`);
  const value = text as string;
  assert.ok(!CONTROL_OR_SPACE.test(value), `${field} accepted with a space or control character: ${show(value)}`);
  const url = new URL(value);
  assert.ok(schemes.includes(url.protocol), `${field} accepted with scheme ${url.protocol}`);
  assert.notEqual(url.hostname, '', `${field} accepted without a host`);
  assert.equal(url.username + url.password, '', `${field} accepted with credentials`);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  assert.ok(port >= 1 && port <= 65_535, `${field} accepted with port ${port}, which nothing can connect to`);
}

/** Checks what a 2xx answer says was accepted, given the body as sent (parsed). */
export function assertAcceptable(sent: Record<string, unknown>): void {
  const id = sent['id'];
  assert.ok(typeof id === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(id), `id accepted: ${show(id)}`);
  // `/services/..` is normalised to `/` by every URL parser: such a service could never be read or deleted.
  assert.ok(id !== '.' && id !== '..', `id accepted that no URL path can address: ${id}`);
  assertFetchableUrl('url', sent['url'], ['http:', 'https:', 'grpc:', 'grpcs:', 'tcp:']);
  const url = sent['url'] as string;
  const parsed = new URL(url);
  const scheme = parsed.protocol.slice(0, -1);
  if (['tcp', 'grpc', 'grpcs'].includes(scheme)) {
    assert.notEqual(parsed.port, '', `a ${scheme} url accepted without a port: ${url}`);
    assert.ok(parsed.pathname === '' || parsed.pathname === '/', `a ${scheme} url accepted with a path: ${url}`);
    assert.ok(sent['health_path'] === undefined || sent['health_path'] === null, `health_path accepted with ${scheme}`);
    assert.match(
      parsed.hostname,
      /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/,
      `a ${scheme} host that cannot be connected: ${url}`,
    );
  }
  const service = sent['grpc_service'];
  if (service !== undefined && service !== null) {
    assert.ok(scheme === 'grpc' || scheme === 'grpcs', `grpc_service accepted with ${scheme}`);
    assert.ok(
      typeof service === 'string' && /^[A-Za-z0-9_.\/-]{0,256}$/.test(service),
      `grpc_service accepted: ${show(service)}`,
    );
  }
  if (sent['tls_skip_verify'] === true)
    assert.ok(scheme === 'https' || scheme === 'grpcs', `tls_skip_verify accepted with ${scheme}`);
  // The health path is appended to the text; after a `?` or `#` it would become a query or fragment.
  assert.ok(!url.includes('?') && !url.includes('#'), `url accepted with a query or fragment marker: ${url}`);
  if (sent['webhook_url'] !== undefined && sent['webhook_url'] !== null)
    assertFetchableUrl('webhook_url', sent['webhook_url']);
  const path = sent['health_path'];
  if (path !== undefined && path !== null) {
    assert.ok(typeof path === 'string' && path.startsWith('/'), `health_path accepted: ${show(path)}`);
    assert.ok(!CONTROL_OR_SPACE.test(path) && !path.includes('#'), `health_path accepted: ${show(path)}`);
  }
  const attributes = sent['attributes'];
  if (attributes !== undefined && attributes !== null) {
    assert.ok(
      !Object.hasOwn(attributes as object, '__proto__'),
      'attributes accepted with a "__proto__" key that cannot be stored',
    );
  }
}

/** The settings part of GET /services/:id that a registration sent as `sent` must produce. */
export function expectedView(sent: Record<string, unknown>, defaults: ProbeDefaults): Record<string, unknown> {
  const given = <T>(field: string, fallback: T): T | unknown => sent[field] ?? fallback;
  const intervalSec = given('poll_interval_sec', defaults.pollIntervalMs / 1000) as number;
  const view = {
    id: sent['id'],
    url: sent['url'],
    health_path: given('health_path', '/health'),
    attributes: given('attributes', {}),
    poll_interval_sec: intervalSec,
    timeout_ms: Math.min(given('timeout_ms', defaults.probeTimeoutMs) as number, intervalSec * 1000),
    failure_threshold: given('failure_threshold', 1),
    success_threshold: given('success_threshold', 1),
    error_rate_threshold: given('error_rate_threshold', defaults.errorRateThreshold),
    deregister_after_sec: given('deregister_after_sec', defaults.deregisterAfterSec),
    webhook_url: given('webhook_url', null),
    degraded_latency_ms: given('degraded_latency_ms', null),
    tls_skip_verify: given('tls_skip_verify', false),
    grpc_service: /^grpcs?:/i.test(String(sent['url'])) ? given('grpc_service', '') : null,
    depends_on: given('depends_on', []),
    health: 'unknown',
    ready: false,
  };
  // Through JSON, as the answer went: -0 reads back as 0.
  return JSON.parse(JSON.stringify(view)) as Record<string, unknown>;
}

export function pick(view: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, view[key]]));
}

/** The error body, checked against the one error shape of the API (the schema the OpenAPI document shows). */
export async function readError(response: Response): Promise<ErrorBody['error']> {
  assert.match(
    response.headers.get('content-type') ?? '',
    /^application\/json/,
    `error ${response.status} is not JSON`,
  );
  const body = errorBodySchema.parse(await response.json());
  assert.notEqual(body.error.message, '', 'an error without a message');
  for (const detail of body.error.details) {
    assert.notEqual(detail.message, '', `detail for ${detail.field} without a message`);
    // zod's fallback wording ("Invalid input: expected number, received Infinity") says what the code expected, not what the client should send.
    assert.doesNotMatch(detail.message, /^Invalid input/, `${detail.field}: zod's generic message`);
  }
  return body.error;
}

/** A 400 invalid_registration names each offending field in its details and in its message. */
export function assertNamesFields(error: ErrorBody['error']): void {
  assert.equal(error.code, 'invalid_registration');
  assert.ok(error.details.length > 0, 'invalid_registration without details');
  for (const detail of error.details)
    assert.ok(error.message.includes(detail.field), `message does not name ${detail.field}: ${error.message}`);
}
