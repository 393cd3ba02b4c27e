// The answers of a real app against the schemas the OpenAPI document is generated from: every field
// documented is sent, with the documented type, and nothing undocumented is sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { z } from 'zod';
import { ANY_TARGET, type ProbeOutcome } from '../domain/index.js';
import { HEALTHY, openStore, probeResult, TEST_DEFAULTS } from '../../tests/helpers/fixtures.js';
import { createApp } from './app.js';
import { errorBodySchema } from './errors.js';
import { healthzSchema } from './routes/healthz.js';
import { historyPageSchema, uptimeSchema } from './routes/history.js';
import { metricsEntrySchema, serviceViewSchema } from './views.js';

type DocumentedObject = z.ZodReadonly<z.ZodObject>;

/** Valid by the schema, and with exactly its top-level keys (a zod object alone ignores extra keys). */
function assertMatches(schema: DocumentedObject, value: unknown, label: string): void {
  const parsed = z.strictObject(schema.unwrap().shape).safeParse(value);
  assert.ok(parsed.success, `${label}: ${parsed.success ? '' : z.prettifyError(parsed.error)}`);
}

async function probedApp() {
  const store = await openStore();
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: null,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
  });
  const registered = await app.request('/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 'svc1',
      url: 'http://127.0.0.1:9001',
      attributes: { env: 'prod' },
      deregister_after_sec: 600,
    }),
  });
  const generation = store.get('svc1')?.generation;
  assert.ok(generation !== undefined);
  // Two samples give every reading a value (recent_error_rate needs two); the 500 adds a last_error
  // and a second transition, so a page of one has a next page.
  const later: ProbeOutcome = {
    kind: 'answered',
    report: { uptimeSec: 2, requestCount: 20, errorCount: 1, attributes: { zone: 'a' } },
  };
  await store.applyResults([probeResult('svc1', generation, HEALTHY, Date.now() - 2000)]);
  await store.applyResults([probeResult('svc1', generation, later, Date.now() - 1000)]);
  await store.applyResults([probeResult('svc1', generation, { kind: 'http_status', status: 500 })]);
  return { app, store, registered };
}

async function json(response: Response, status: number): Promise<unknown> {
  assert.equal(response.status, status);
  return response.json();
}

test('POST /register, GET /services and GET /services/{id} answer with the documented Service', async (t) => {
  const { app, store, registered } = await probedApp();
  t.after(() => store.close());
  assertMatches(serviceViewSchema, await json(registered, 201), 'POST /register');
  assertMatches(serviceViewSchema, await json(await app.request('/services/svc1'), 200), 'GET /services/svc1');
  const list = await json(await app.request('/services'), 200);
  assert.ok(Array.isArray(list) && list.length === 1);
  assertMatches(serviceViewSchema, list[0], 'GET /services');
});

test('GET /metrics answers with documented MetricsEntry objects', async (t) => {
  const { app, store } = await probedApp();
  t.after(() => store.close());
  const entries = await json(await app.request('/metrics'), 200);
  assert.ok(Array.isArray(entries) && entries.length === 1);
  assertMatches(metricsEntrySchema, entries[0], 'GET /metrics');
  const entry = metricsEntrySchema.parse(entries[0]);
  assert.ok(
    entry.recent_error_rate !== null && entry.last_error !== null,
    'the nullable readings were exercised with values',
  );
});

test('history, uptime and healthz answer with their documented shapes', async (t) => {
  const { app, store } = await probedApp();
  t.after(() => store.close());
  const page = await json(await app.request('/services/svc1/history?limit=1'), 200);
  assertMatches(historyPageSchema, page, 'GET /services/svc1/history');
  const parsed = historyPageSchema.parse(page);
  assert.equal(parsed.transitions.length, 1);
  assert.notEqual(parsed.next_before, null);
  assertMatches(uptimeSchema, await json(await app.request('/services/svc1/uptime'), 200), 'GET /services/svc1/uptime');
  assertMatches(healthzSchema, await json(await app.request('/healthz'), 200), 'GET /healthz');
});

test('errors answer with the documented Error shape', async (t) => {
  const { app, store } = await probedApp();
  t.after(() => store.close());
  const invalid = await app.request('/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'a b' }),
  });
  const body = await json(invalid, 400);
  assertMatches(errorBodySchema, body, 'POST /register 400');
  assert.equal(errorBodySchema.parse(body).error.details.length, 2);
  assertMatches(errorBodySchema, await json(await app.request('/services/nope'), 404), 'GET /services/nope');
  assertMatches(errorBodySchema, await json(await app.request('/healthz', { method: 'POST' }), 405), 'POST /healthz');
});
