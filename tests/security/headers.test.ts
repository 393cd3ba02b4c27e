// Secure response headers and the body limit on every answer: every operation the OpenAPI document lists,
// HEAD on every GET, and every error, through the real server.
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../../src/api/app.js';
import { MAX_REQUEST_BODY_BYTES } from '../../src/api/body-limit.js';
import { buildOpenApiDocument } from '../../src/api/routes/openapi.js';
import { createApiServer } from '../../src/api/server.js';
import { ANY_TARGET } from '../../src/domain/index.js';
import { createMonitorMetrics, type MonitorMetrics } from '../../src/metrics/prometheus.js';
import { EventStreamHub } from '../../src/notify/event-stream/event-stream-hub.js';
import type { ServiceStore } from '../../src/store/store.js';
import { openStore, registration, TEST_DEFAULTS } from '../helpers/fixtures.js';

const TOKEN = 'a-token-of-sixteen-chars';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json' };

/** What every answer must carry, whatever the route or the outcome. */
const SECURE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-permitted-cross-domain-policies': 'none',
};

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface Running {
  readonly port: number;
  readonly store: ServiceStore;
  stop(): Promise<void>;
}

/** The full monitor API (event stream and Prometheus on), or a bare one with neither. */
async function startApi(full: boolean): Promise<Running> {
  const store = await openStore();
  const hub = full ? new EventStreamHub({ events: store.events, replay: store }) : undefined;
  const metrics: MonitorMetrics | undefined = full
    ? createMonitorMetrics({ store, events: store.events, attributeLabels: [], processMetrics: false })
    : undefined;
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: TOKEN,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
    ...(hub ? { eventStream: hub } : {}),
    ...(metrics ? { prometheus: metrics } : {}),
  });
  const server: Server = createApiServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    store,
    async stop() {
      await hub?.close(100);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      metrics?.close();
      await store.close().catch(() => undefined);
    },
  };
}

let full: Running;
let bare: Running;
before(async () => {
  [full, bare] = await Promise.all([startApi(true), startApi(false)]);
  await full.store.register(registration('svc'));
  await full.store.register(registration('to-delete'));
});
after(async () => {
  await Promise.all([full.stop(), bare.stop()]);
});

/** One request; a streaming answer (the event stream) is cut once its headers have come. */
function send(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string | number>; body?: string | string[] } = {},
): Promise<Answer> {
  // Framed explicitly: Node sends a GET or DELETE body unframed, which the server would read as the next request.
  const framing =
    options.body === undefined
      ? {}
      : Array.isArray(options.body)
        ? { 'transfer-encoding': 'chunked' }
        : { 'content-length': Buffer.byteLength(options.body) };
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, method, path, headers: { ...framing, ...options.headers } },
      (response) => {
        if (response.headers['content-type']?.startsWith('text/event-stream')) {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: '' });
          outgoing.destroy();
          return;
        }
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    outgoing.on('error', (error) =>
      outgoing.destroyed && error.message === 'socket hang up' ? undefined : reject(error),
    );
    if (Array.isArray(options.body)) for (const chunk of options.body) outgoing.write(chunk);
    else if (options.body !== undefined) outgoing.write(options.body);
    outgoing.end();
  });
}

/** Badges are images for other sites' pages, so any origin may load them; every other header is the same. */
const BADGE_HEADERS = { ...SECURE_HEADERS, 'cross-origin-resource-policy': 'cross-origin' };

function assertSecureHeaders(answer: Answer, what: string): void {
  const expected = / \/badges\//.test(what) ? BADGE_HEADERS : SECURE_HEADERS;
  for (const [name, value] of Object.entries(expected)) assert.equal(answer.headers[name], value, `${what}: ${name}`);
  assert.equal(answer.headers['x-powered-by'], undefined, `${what}: x-powered-by`);
}

/** A request that makes the operation succeed, built from the document's own description of it. */
function successfulRequest(
  method: string,
  path: string,
  secured: boolean,
): { path: string; headers: Record<string, string>; body?: string } {
  // A window is opened (POST) on a service that stays, then ended (DELETE) on the same one.
  const maintenance = path.endsWith('/maintenance');
  const concrete = path.replace('{id}', method === 'delete' && !maintenance ? 'to-delete' : 'svc');
  const headers: Record<string, string> = secured ? { ...AUTH } : {};
  if (method === 'post')
    return {
      path: concrete,
      headers: { ...headers, ...JSON_TYPE },
      body: JSON.stringify(maintenance ? { duration_sec: 60 } : { id: 'new', url: 'http://127.0.0.1:8081' }),
    };
  return { path: concrete, headers };
}

test('every documented operation answers with the secure headers, and HEAD on every GET does too', async () => {
  const operations = Object.entries(buildOpenApiDocument().paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, { security?: unknown[]; responses: Record<string, unknown> }>).map(
      ([method, operation]) => ({ path, method, operation }),
    ),
  );
  assert.ok(operations.length >= 9, `the document lists ${operations.length} operations`);
  for (const { path, method, operation } of operations) {
    const { path: concrete, headers, body } = successfulRequest(method, path, Boolean(operation.security?.length));
    const answer = await send(full.port, method.toUpperCase(), concrete, {
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const what = `${method.toUpperCase()} ${concrete}`;
    assert.ok(
      Object.keys(operation.responses).includes(String(answer.status)) && answer.status < 300,
      `${what} answered ${answer.status}: ${answer.body}`,
    );
    assertSecureHeaders(answer, what);
    if (method === 'get') assertSecureHeaders(await send(full.port, 'HEAD', concrete, { headers }), `HEAD ${concrete}`);
  }
});

test('every kind of error answers with the secure headers', async () => {
  const big = 'x'.repeat(MAX_REQUEST_BODY_BYTES + 1);
  const cases: {
    what: string;
    port?: number;
    method: string;
    path: string;
    headers?: Record<string, string | number>;
    body?: string | string[];
    status: number;
    code: string;
  }[] = [
    { what: 'unknown path', method: 'GET', path: '/nope', status: 404, code: 'not_found' },
    { what: 'unknown service', method: 'GET', path: '/services/nope', status: 404, code: 'service_not_found' },
    { what: 'wrong method', method: 'PUT', path: '/services/svc', status: 405, code: 'method_not_allowed' },
    {
      what: 'no token',
      method: 'POST',
      path: '/register',
      headers: JSON_TYPE,
      body: '{}',
      status: 401,
      code: 'unauthorized',
    },
    { what: 'no token on delete', method: 'DELETE', path: '/services/svc', status: 401, code: 'unauthorized' },
    {
      what: 'not JSON',
      method: 'POST',
      path: '/register',
      headers: { ...AUTH, 'content-type': 'text/plain' },
      body: 'x',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      what: 'bad JSON',
      method: 'POST',
      path: '/register',
      headers: { ...AUTH, ...JSON_TYPE },
      body: '{',
      status: 400,
      code: 'invalid_json',
    },
    {
      what: 'bad registration',
      method: 'POST',
      path: '/register',
      headers: { ...AUTH, ...JSON_TYPE },
      body: '{}',
      status: 400,
      code: 'invalid_registration',
    },
    {
      what: 'metadata target',
      method: 'POST',
      path: '/register',
      headers: { ...AUTH, ...JSON_TYPE },
      body: JSON.stringify({ id: 'imds', url: 'http://169.254.169.254' }),
      status: 400,
      code: 'invalid_registration',
    },
    { what: 'bad query', method: 'GET', path: '/services/svc/history?limit=0', status: 400, code: 'invalid_query' },
    {
      what: 'bad Last-Event-ID',
      method: 'GET',
      path: '/events',
      headers: { 'last-event-id': 'x' },
      status: 400,
      code: 'invalid_last_event_id',
    },
    {
      what: 'body over the limit',
      method: 'POST',
      path: '/register',
      headers: { ...AUTH, ...JSON_TYPE },
      body: big,
      status: 413,
      code: 'payload_too_large',
    },
    {
      what: 'chunked body over the limit',
      method: 'POST',
      path: '/register',
      headers: { ...AUTH, ...JSON_TYPE },
      body: [big.slice(0, 40_000), big.slice(40_000)],
      status: 413,
      code: 'payload_too_large',
    },
    {
      what: 'body over the limit on a route that reads none',
      method: 'DELETE',
      path: '/services/svc',
      headers: AUTH,
      body: big,
      status: 413,
      code: 'payload_too_large',
    },
    {
      what: 'declared length over the limit, nothing sent',
      method: 'GET',
      path: '/services',
      headers: { 'content-length': MAX_REQUEST_BODY_BYTES + 1 },
      status: 413,
      code: 'payload_too_large',
    },
    { what: 'events off', port: 0, method: 'GET', path: '/events', status: 503, code: 'events_unavailable' },
    {
      what: 'Prometheus off',
      port: 0,
      method: 'GET',
      path: '/metrics?format=prometheus',
      status: 501,
      code: 'prometheus_disabled',
    },
  ];
  for (const { what, port, method, path, headers, body, status, code } of cases) {
    const answer = await send(port === 0 ? bare.port : full.port, method, path, {
      ...(headers ? { headers } : {}),
      ...(body === undefined ? {} : { body }),
    });
    assert.equal(answer.status, status, `${what}: ${answer.body}`);
    assert.equal((JSON.parse(answer.body) as { error: { code: string } }).error.code, code, what);
    assertSecureHeaders(answer, what);
  }
  assert.equal(full.store.get('svc') !== undefined, true, 'the refused delete deleted nothing');
});

test('a write while the store is closed answers 503 with the secure headers', async () => {
  await bare.store.close();
  const answer = await send(bare.port, 'POST', '/register', {
    headers: { ...AUTH, ...JSON_TYPE },
    body: JSON.stringify({ id: 'late', url: 'http://127.0.0.1:8081' }),
  });
  assert.equal(answer.status, 503);
  assert.equal((JSON.parse(answer.body) as { error: { code: string } }).error.code, 'shutting_down');
  assertSecureHeaders(answer, 'shutting down');
});
