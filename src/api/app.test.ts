import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { targetPolicy, ANY_TARGET, type TargetPolicy } from '../domain/index.js';
import { HEALTHY, openStore, probeResult, TEST_DEFAULTS } from '../../tests/helpers/fixtures.js';
import { createApp } from './app.js';
import type { ErrorBody } from './errors.js';
import type { Persistence } from '../store/persistence.js';
import { SqlitePersistence } from '../store/sqlite/sqlite-persistence.js';
import { noOutcomes } from '../store/events.js';

const TOKEN = 'a-token-of-sixteen-chars';

async function setup(options: { token?: string; policy?: TargetPolicy; persistence?: Persistence } = {}) {
  const store = await openStore(options.persistence ? { persistence: options.persistence } : {});
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: options.token ?? null,
    targetPolicy: options.policy ?? ANY_TARGET,
    logger: pino({ level: 'silent' }),
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.request('/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { app, store, post };
}

const valid = {
  id: 'svc1',
  url: 'http://localhost:9001',
  attributes: { service: 'user', env: 'prod' },
  poll_interval_sec: 10,
};

async function errorOf(response: Response): Promise<ErrorBody['error']> {
  const body = (await response.json()) as ErrorBody;
  return body.error;
}

test('a reference registration is stored: 201 with the stored service', async () => {
  const { post, store } = await setup();
  const response = await post(valid);
  assert.equal(response.status, 201);
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(body['id'], 'svc1');
  assert.equal(body['url'], 'http://localhost:9001');
  assert.equal(body['poll_interval_sec'], 10);
  assert.equal(body['health'], 'unknown');
  assert.deepEqual(body['attributes'], { service: 'user', env: 'prod' });
  assert.ok(store.get('svc1'));
});

test('a tcp:// service is registered like any other: the scheme picks the prober', async () => {
  const { post, store } = await setup();
  const response = await post({ id: 'db', url: 'tcp://db.internal:5432' });
  assert.equal(response.status, 201, await response.clone().text());
  assert.equal(((await response.json()) as Record<string, unknown>)['url'], 'tcp://db.internal:5432');
  assert.ok(store.get('db'));
});

test('a grpc:// service is registered with its grpc_service, shown in its view; other schemes show null', async () => {
  const { post } = await setup();
  const response = await post({
    id: 'pay',
    url: 'grpcs://pay.internal:50051',
    grpc_service: 'payments.v1.Ledger',
    tls_skip_verify: true,
  });
  assert.equal(response.status, 201, await response.clone().text());
  const view = (await response.json()) as Record<string, unknown>;
  assert.deepEqual(
    [view['url'], view['grpc_service'], view['tls_skip_verify']],
    ['grpcs://pay.internal:50051', 'payments.v1.Ledger', true],
  );
  const whole = (await (await post({ id: 'pay2', url: 'grpc://pay.internal:50051' })).json()) as Record<
    string,
    unknown
  >;
  assert.equal(whole['grpc_service'], '', 'the server as a whole');
  const http = (await (await post(valid)).json()) as Record<string, unknown>;
  assert.equal(http['grpc_service'], null);
});

test('each invalid field is rejected with 400 naming the field and the rule', async (t) => {
  const cases: { name: string; body: Record<string, unknown>; field: string; message: RegExp }[] = [
    { name: 'missing id', body: { url: valid.url }, field: 'id', message: /is required/ },
    { name: 'bad id characters', body: { ...valid, id: 'svc 1/x' }, field: 'id', message: /letters, digits/ },
    { name: 'id too long', body: { ...valid, id: 'a'.repeat(129) }, field: 'id', message: /1-128/ },
    { name: 'non-string id', body: { ...valid, id: 42 }, field: 'id', message: /must be a string/ },
    { name: 'missing url', body: { id: 'svc1' }, field: 'url', message: /is required/ },
    {
      name: 'non-http scheme',
      body: { ...valid, url: 'ftp://localhost:9001' },
      field: 'url',
      message: /http, https, grpc, grpcs or tcp, not ftp/,
    },
    { name: 'malformed url', body: { ...valid, url: 'localhost:9001 nope' }, field: 'url', message: /absolute URL/ },
    { name: 'url without scheme', body: { ...valid, url: 'localhost:9001' }, field: 'url', message: /absolute URL/ },
    { name: 'url with empty host', body: { ...valid, url: 'http://' }, field: 'url', message: /absolute URL/ },
    { name: 'relative url', body: { ...valid, url: '/health' }, field: 'url', message: /absolute URL/ },
    {
      name: 'url with credentials',
      body: { ...valid, url: 'http://u:p@localhost:1' },
      field: 'url',
      message: /credentials/,
    },
    {
      name: 'url on port 0',
      body: { ...valid, url: 'http://localhost:0' },
      field: 'url',
      message: /port 0 cannot be connected to/,
    },
    { name: 'url with query', body: { ...valid, url: 'http://localhost:1/?a=1' }, field: 'url', message: /query/ },
    { name: 'tcp url without a port', body: { ...valid, url: 'tcp://db.internal' }, field: 'url', message: /port/ },
    { name: 'tcp url with a path', body: { ...valid, url: 'tcp://db:5432/x' }, field: 'url', message: /path/ },
    {
      name: 'grpc url with a path',
      body: { ...valid, url: 'grpc://pay:50051/x.Health' },
      field: 'url',
      message: /path/,
    },
    {
      name: 'grpcs url without a port',
      body: { ...valid, url: 'grpcs://pay.internal' },
      field: 'url',
      message: /port/,
    },
    {
      name: 'health_path with a grpc url',
      body: { ...valid, url: 'grpc://pay:50051', health_path: '/health' },
      field: 'health_path',
      message: /does not apply to grpc:\/\/ URLs/,
    },
    {
      name: 'grpc_service on an http url',
      body: { ...valid, grpc_service: 'payments.v1.Ledger' },
      field: 'grpc_service',
      message: /applies to grpc or grpcs URLs only/,
    },
    {
      name: 'grpc_service not a name',
      body: { ...valid, url: 'grpc://pay:50051', grpc_service: 'payments ledger' },
      field: 'grpc_service',
      message: /gRPC service name/,
    },
    {
      name: 'tls_skip_verify with a grpc url',
      body: { ...valid, url: 'grpc://pay:50051', tls_skip_verify: true },
      field: 'tls_skip_verify',
      message: /applies to https or grpcs URLs only/,
    },
    {
      name: 'health_path with a tcp url',
      body: { ...valid, url: 'tcp://db:5432', health_path: '/health' },
      field: 'health_path',
      message: /does not apply to tcp:\/\/ URLs/,
    },
    {
      name: 'non-string attribute',
      body: { ...valid, attributes: { env: 1 } },
      field: 'attributes.env',
      message: /must be a string/,
    },
    {
      name: 'attributes not an object',
      body: { ...valid, attributes: ['a'] },
      field: 'attributes',
      message: /object of string values/,
    },
    {
      name: 'too many attributes',
      body: { ...valid, attributes: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
      field: 'attributes',
      message: /at most 64 entries/,
    },
    {
      name: 'zero interval',
      body: { ...valid, poll_interval_sec: 0 },
      field: 'poll_interval_sec',
      message: /greater than 0/,
    },
    {
      name: 'negative interval',
      body: { ...valid, poll_interval_sec: -5 },
      field: 'poll_interval_sec',
      message: /greater than 0/,
    },
    {
      name: 'fractional interval',
      body: { ...valid, poll_interval_sec: 1.5 },
      field: 'poll_interval_sec',
      message: /whole number/,
    },
    {
      name: 'string interval',
      body: { ...valid, poll_interval_sec: '10' },
      field: 'poll_interval_sec',
      message: /must be a number/,
    },
    {
      name: 'timeout above interval',
      body: { ...valid, poll_interval_sec: 1, timeout_ms: 1500 },
      field: 'timeout_ms',
      message: /must not exceed the poll interval \(1000 ms\)/,
    },
    {
      name: 'health_path without slash',
      body: { ...valid, health_path: 'health' },
      field: 'health_path',
      message: /start with \//,
    },
    {
      name: 'threshold above 1',
      body: { ...valid, error_rate_threshold: 1.2 },
      field: 'error_rate_threshold',
      message: /between 0 and 1/,
    },
    {
      name: 'zero failure_threshold',
      body: { ...valid, failure_threshold: 0 },
      field: 'failure_threshold',
      message: /greater than 0/,
    },
    {
      name: 'deregister_after_sec below 60',
      body: { ...valid, deregister_after_sec: 30 },
      field: 'deregister_after_sec',
      message: /at least 60/,
    },
    {
      name: 'webhook_url not http',
      body: { ...valid, webhook_url: 'ftp://hooks' },
      field: 'webhook_url',
      message: /must use http or https/,
    },
    {
      name: 'unknown field',
      body: { ...valid, poll_interval: 5 },
      field: 'poll_interval',
      message: /not a known field/,
    },
  ];
  for (const { name, body, field, message } of cases) {
    await t.test(name, async () => {
      const { post, store } = await setup();
      const response = await post(body);
      assert.equal(response.status, 400);
      const error = await errorOf(response);
      assert.equal(error.code, 'invalid_registration');
      const detail = error.details.find((d) => d.field === field);
      assert.ok(detail, `no detail for ${field} in ${JSON.stringify(error.details)}`);
      assert.match(detail.message, message);
      assert.match(error.message, new RegExp(field.replace('.', '\\.')));
      assert.equal(store.size, 0);
    });
  }
});

test('several bad fields are all named in one answer', async () => {
  const { post } = await setup();
  const error = await errorOf(await post({ id: '', url: 'gopher://x', poll_interval_sec: -1 }));
  assert.deepEqual(error.details.map((d) => d.field).sort(), ['id', 'poll_interval_sec', 'url']);
});

test('null optional fields are taken as absent, as Go encodes them', async () => {
  const { post } = await setup();
  const response = await post({ id: 'go', url: 'http://localhost:19001', attributes: null, poll_interval_sec: null });
  assert.equal(response.status, 201);
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(body['poll_interval_sec'], TEST_DEFAULTS.pollIntervalMs / 1000);
});

test('a body over 64 KiB is refused with 413', async () => {
  const { post, store } = await setup();
  const response = await post({ ...valid, attributes: { big: 'x'.repeat(70 * 1024) } });
  assert.equal(response.status, 413);
  assert.equal((await errorOf(response)).code, 'payload_too_large');
  assert.equal(store.size, 0);
});

test('a non-JSON content type is refused with 415', async () => {
  const { post } = await setup();
  for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
    const response = await post(valid, { 'content-type': type });
    assert.equal(response.status, 415, type);
    assert.match((await errorOf(response)).message, /application\/json/);
  }
  assert.equal((await post(valid, { 'content-type': 'application/json; charset=utf-8' })).status, 201);
});

test('invalid JSON is refused with 400 invalid_json', async () => {
  const { post } = await setup();
  for (const text of ['{"id":', '', 'not json']) {
    const response = await post(text);
    assert.equal(response.status, 400, JSON.stringify(text));
    assert.equal((await errorOf(response)).code, 'invalid_json');
  }
  const notObject = await post('[1,2]');
  assert.equal(notObject.status, 400);
  assert.match((await errorOf(notObject)).message, /JSON object/);
});

test('a re-registration answers 200 with the new settings', async () => {
  const { post } = await setup();
  assert.equal((await post(valid)).status, 201);
  const response = await post({ ...valid, poll_interval_sec: 3, attributes: { env: 'staging' } });
  assert.equal(response.status, 200);
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(body['poll_interval_sec'], 3);
  assert.deepEqual(body['attributes'], { env: 'staging' });
});

test('delete answers 204, then 404', async () => {
  const { post, app } = await setup();
  await post(valid);
  const deleted = await app.request('/services/svc1', { method: 'DELETE' });
  assert.equal(deleted.status, 204);
  const again = await app.request('/services/svc1', { method: 'DELETE' });
  assert.equal(again.status, 404);
  assert.equal((await errorOf(again)).code, 'service_not_found');
  assert.equal((await app.request('/services/svc1')).status, 404);
});

test('GET /services and /metrics list services sorted by id with the reference fields', async () => {
  const { post, app } = await setup();
  for (const id of ['zeta', 'alpha', 'mid']) await post({ ...valid, id });
  const services = (await (await app.request('/services')).json()) as { id: string }[];
  assert.deepEqual(
    services.map((s) => s.id),
    ['alpha', 'mid', 'zeta'],
  );
  const metrics = (await (await app.request('/metrics')).json()) as Record<string, unknown>[];
  assert.deepEqual(
    metrics.map((m) => m['service']),
    ['alpha', 'mid', 'zeta'],
  );
  const [first] = metrics;
  assert.ok(first);
  for (const field of [
    'service',
    'status',
    'health',
    'ready',
    'last_checked',
    'last_checked_age_sec',
    'uptime_sec',
    'request_count',
    'error_count',
    'error_rate',
    'recent_error_rate',
    'attributes',
    'poll_interval_sec',
    'last_error',
  ]) {
    assert.ok(field in first, `missing ${field}`);
  }
  assert.equal(first['status'], 'DOWN');
  assert.equal(first['health'], 'unknown');
  assert.equal(first['last_checked'], null);
  const one = await app.request('/services/mid');
  assert.equal(((await one.json()) as { id: string }).id, 'mid');
});

test('unknown route is 404 JSON; wrong method is 405 JSON with Allow', async () => {
  const { app } = await setup();
  const missing = await app.request('/nope');
  assert.equal(missing.status, 404);
  assert.equal((await errorOf(missing)).code, 'not_found');
  const wrong = await app.request('/metrics', { method: 'POST' });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'GET, HEAD');
  assert.equal((await errorOf(wrong)).code, 'method_not_allowed');
  const wrongOnParam = await app.request('/services/x', { method: 'PUT' });
  assert.equal(wrongOnParam.status, 405);
  assert.equal(wrongOnParam.headers.get('allow'), 'DELETE, GET, HEAD');
  assert.equal((await app.request('/register')).status, 405);
});

test('GET /healthz answers ok, with the last cycle once there was one', async () => {
  const { app, store } = await setup();
  const response = await app.request('/healthz');
  assert.equal(response.status, 200);
  const before = (await response.json()) as { status: string; last_cycle: unknown };
  assert.equal(before.status, 'ok');
  assert.equal(before.last_cycle, null);
  const outcomes = { http: { ...noOutcomes(), answered: 3 } };
  store.recordCycle({
    startedAt: Date.UTC(2026, 10, 24),
    durationMs: 12.4,
    size: 3,
    applied: 3,
    outcomes,
    eventLoopUtilization: 0.04321,
    scheduleLagMs: { p50: 3, p99: 9, max: 12 },
  });
  const after = (await (await app.request('/healthz')).json()) as { last_cycle: unknown };
  assert.deepEqual(after.last_cycle, {
    started_at: '2026-11-24T00:00:00.000Z',
    duration_ms: 12,
    services: 3,
    event_loop_utilization: 0.043,
    schedule_lag_ms: { p50: 3, p99: 9, max: 12 },
  });
});

test('with REGISTER_TOKEN, register and delete need the bearer token', async () => {
  const { post, app, store } = await setup({ token: TOKEN });
  const anonymous = await post(valid);
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer');
  assert.equal((await post(valid, { authorization: 'Bearer wrong-token-xxxxxxxx' })).status, 401);
  assert.equal(store.size, 0);
  assert.equal((await post(valid, { authorization: `Bearer ${TOKEN}` })).status, 201);
  assert.equal((await app.request('/services/svc1', { method: 'DELETE' })).status, 401);
  assert.equal(
    (await app.request('/services/svc1', { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status,
    204,
  );
  assert.equal((await app.request('/metrics')).status, 200, 'reads stay open');
});

test('ALLOW_TARGETS refuses other hosts at registration', async () => {
  const { post } = await setup({ policy: targetPolicy(['127.0.0.0/8', 'svc.internal']) });
  assert.equal((await post({ ...valid, url: 'http://127.0.0.1:9001' })).status, 201);
  assert.equal((await post({ ...valid, id: 'b', url: 'http://svc.internal:80' })).status, 201);
  const refused = await post({ ...valid, id: 'c', url: 'http://10.1.2.3/latest' });
  assert.equal(refused.status, 400);
  const error = await errorOf(refused);
  assert.equal(error.details[0]?.field, 'url');
  assert.match(error.details[0]?.message ?? '', /host 10\.1\.2\.3 is not in ALLOW_TARGETS/);
});

test('GET /services/:id/history pages transitions newest first', async () => {
  const { post, app, store } = await setup();
  await post(valid);
  const generation = store.get('svc1')?.generation ?? 0;
  const outcomes = [HEALTHY, { kind: 'http_status', status: 500 } as const, HEALTHY];
  for (const [i, outcome] of outcomes.entries())
    await store.applyResults([probeResult('svc1', generation, outcome, 1_000_000 + i)]);
  const first = (await (await app.request('/services/svc1/history?limit=2')).json()) as {
    transitions: { id: number; to: { health: string }; at: string }[];
    next_before: number | null;
  };
  assert.deepEqual(
    first.transitions.map((t) => t.to.health),
    ['healthy', 'unhealthy'],
  );
  assert.equal(first.transitions[0]?.at, new Date(1_000_002 + 5).toISOString());
  assert.notEqual(first.next_before, null);
  const second = (await (
    await app.request(`/services/svc1/history?limit=2&before=${first.next_before}`)
  ).json()) as typeof first;
  assert.deepEqual(
    second.transitions.map((t) => t.to.health),
    ['healthy'],
  );
  assert.equal(second.next_before, null);
  for (const bad of ['limit=0', 'limit=1001', 'limit=abc', 'before=x', 'page=2']) {
    const response = await app.request(`/services/svc1/history?${bad}`);
    assert.equal(response.status, 400, bad);
    assert.equal((await errorOf(response)).code, 'invalid_query');
  }
  assert.equal((await app.request('/services/nope/history')).status, 404);
});

test('GET /services/:id/uptime answers the four windows', async () => {
  const { post, app, store } = await setup();
  await post(valid);
  const generation = store.get('svc1')?.generation ?? 0;
  await store.applyResults([
    probeResult('svc1', generation, HEALTHY),
    probeResult('svc1', generation, { kind: 'http_status', status: 500 }),
  ]);
  const body = (await (await app.request('/services/svc1/uptime')).json()) as {
    windows: Record<string, { probes: number; uptime_percent: number | null }>;
  };
  assert.deepEqual(Object.keys(body.windows), ['24h', '7d', '30d', '1y']);
  assert.equal(body.windows['24h']?.probes, 2);
  assert.equal(body.windows['24h']?.uptime_percent, 50);
  assert.equal((await app.request('/services/nope/uptime')).status, 404);
});

test('a write the database cannot commit answers 503 storage_unavailable and loses nothing stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hm-app-'));
  try {
    const persistence = SqlitePersistence.open(join(dir, 'hm.db'));
    const { post, app } = await setup({ persistence });
    assert.equal((await post(valid)).status, 201);
    await persistence.close();
    const response = await post({ ...valid, id: 'svc2' });
    assert.equal(response.status, 503);
    const error = await errorOf(response);
    assert.equal(error.code, 'storage_unavailable');
    assert.match(error.message, /database could not commit.*nothing was changed/);
    assert.equal((await app.request('/services/svc2')).status, 404);
    assert.equal((await app.request('/services/svc1')).status, 200, 'reads keep working');
    assert.equal((await app.request('/services/svc1', { method: 'DELETE' })).status, 503);
    assert.equal((await app.request('/services/svc1')).status, 200, 'a failed delete keeps the service');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
