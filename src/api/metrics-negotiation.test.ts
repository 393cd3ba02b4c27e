import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { pino } from 'pino';
import { ANY_TARGET } from '../domain/index.js';
import { HEALTHY, openStore, probeResult, registration, TEST_DEFAULTS } from '../../tests/helpers/fixtures.js';
import { parseExposition, valueOf } from '../../tests/helpers/exposition.js';
import { createMonitorMetrics } from '../metrics/prometheus.js';
import { createApp } from './app.js';
import type { ErrorBody } from './errors.js';
import { PROMETHEUS_SCRAPER_ACCEPT } from '../../tests/helpers/prometheus.js';
import { contextOf, metricsEntry } from './views.js';

const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

async function setup(t: TestContext, options: { prometheus?: boolean } = {}) {
  const store = await openStore();
  const metrics = createMonitorMetrics({
    store,
    events: store.events,
    attributeLabels: ['env'],
    processMetrics: false,
  });
  t.after(async () => {
    metrics.close();
    await store.close();
  });
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: null,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
    ...(options.prometheus === false ? {} : { prometheus: metrics }),
  });
  const { record } = await store.register(registration('svc1', undefined, { attributes: { env: 'prod' } }));
  await store.applyResults([probeResult('svc1', record.generation, HEALTHY)]);
  const get = (query = '', accept?: string) =>
    app.request(`/metrics${query}`, accept === undefined ? {} : { headers: { accept } });
  return { store, get };
}

test('the Prometheus scraper, text/plain and ?format=prometheus get the text format', async (t) => {
  const { get } = await setup(t);
  const requests: [string, string | undefined][] = [
    ['', PROMETHEUS_SCRAPER_ACCEPT],
    ['', 'text/plain'],
    ['?format=prometheus', undefined],
    ['?format=prometheus', 'application/json'],
  ];
  for (const [query, accept] of requests) {
    const what = `${query || 'no query'} with Accept ${String(accept)}`;
    const response = await get(query, accept);
    assert.equal(response.status, 200, what);
    assert.equal(response.headers.get('content-type'), PROMETHEUS_TYPE, what);
    assert.equal(response.headers.get('vary'), 'Accept', what);
    const samples = parseExposition(await response.text());
    assert.equal(valueOf(samples, 'health_monitor_service_up', { service: 'svc1' }), 1, what);
    assert.equal(valueOf(samples, 'health_monitor_service_info', { service: 'svc1', attr_env: 'prod' }), 1, what);
  }
});

test('no Accept, */*, application/json, a browser and ?format=json get the JSON they always got', async (t) => {
  const { get, store } = await setup(t);
  const requests: [string, string | undefined][] = [
    ['', undefined],
    ['', '*/*'],
    ['', 'application/json'],
    ['', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
    ['?format=json', 'text/plain'],
  ];
  for (const [query, accept] of requests) {
    const what = `${query || 'no query'} with Accept ${String(accept)}`;
    const response = await get(query, accept);
    assert.equal(response.status, 200, what);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/, what);
    const body = (await response.json()) as Record<string, unknown>[];
    // Ages are computed per request; the rest must be exactly the JSON view.
    const expected = store.list().map((record) => metricsEntry(record, Date.now(), contextOf(store)));
    assert.deepEqual(
      body.map(({ last_checked: _, last_checked_age_sec: __, ...rest }) => rest),
      expected.map(({ last_checked: _, last_checked_age_sec: __, ...rest }) => rest),
      what,
    );
  }
});

test('an unknown format is a 400 in the API error shape', async (t) => {
  const { get } = await setup(t);
  const response = await get('?format=xml', PROMETHEUS_SCRAPER_ACCEPT);
  assert.equal(response.status, 400);
  const { error } = (await response.json()) as ErrorBody;
  assert.deepEqual(error, {
    code: 'invalid_query',
    message: 'invalid query: format must be one of json, prometheus, not "xml"',
    details: [{ field: 'format', message: 'must be one of json, prometheus, not "xml"' }],
  });
});

test('without Prometheus exposition configured, JSON still works and the text format is a clear 501', async (t) => {
  const { get } = await setup(t, { prometheus: false });
  assert.equal((await get()).status, 200);
  for (const [query, accept] of [
    ['?format=prometheus', undefined],
    ['', PROMETHEUS_SCRAPER_ACCEPT],
  ] as const) {
    const response = await get(query, accept);
    assert.equal(response.status, 501);
    const { error } = (await response.json()) as ErrorBody;
    assert.equal(error.code, 'prometheus_disabled');
    assert.match(error.message, /started without Prometheus exposition/);
  }
});
