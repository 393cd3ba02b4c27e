// The hand-rendered per-service families are the text prom-client wrote for them, byte for byte.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { HEALTH_STATES, type ProbeOutcome } from '../domain/index.js';
import type { ServiceRecord } from '../store/service-record.js';
import type { ServiceStore } from '../store/store.js';
import { openStore, probeResult, registration } from '../../tests/helpers/fixtures.js';
import {
  promClientServiceFamilies,
  registerPromClientImpactedFamily,
  registerPromClientServiceFamilies,
} from '../../tests/helpers/prom-client-service-families.js';
import { registerMonitorMetrics } from './monitor-metrics.js';
import { createMonitorMetrics } from './prometheus.js';
import { createServiceFamilies } from './service-families.js';
import { noOutcomes } from '../store/events.js';

const KEYS = ['service', 'env', 'note', 'team-name', 'constructor', 'missing'];

/** Readable as text when it fails; then the bytes themselves, as they go on the wire. */
function assertSameBytes(actual: Buffer, expected: string, message?: string): void {
  assert.equal(actual.toString('utf8'), expected, message);
  assert.ok(actual.equals(Buffer.from(expected, 'utf8')), message ?? 'the same UTF-8 bytes');
}

function answered(requestCount: number, errorCount: number, attributes: Record<string, string> = {}): ProbeOutcome {
  return { kind: 'answered', report: { uptimeSec: 1, requestCount, errorCount, attributes } };
}

async function storeWithVariedServices(t: TestContext): Promise<ServiceStore> {
  const store = await openStore();
  t.after(() => store.close());
  const register = async (id: string, attributes: Record<string, string> = {}): Promise<number> =>
    (await store.register(registration(id, undefined, { attributes }))).record.generation;

  // Never probed: every reading that can be absent is.
  await register('a-fresh', { service: 'user', env: 'prod' });
  const once = await register('b.once', { note: 'a "quoted" \\ path\nnext line', 'team-name': 'core' });
  // Odd durations and start times (whole ms, as the store keeps them): the seconds are fractions.
  await store.applyResults([{ ...probeResult('b.once', once, answered(3, 1), 1_700_000_000_123), durationMs: 1234 }]);
  const twice = await register('c_twice', { env: 'prod', constructor: 'own key, not the prototype' });
  await store.applyResults([
    probeResult('c_twice', twice, answered(100, 7, { env: 'staging', note: 'from /health' }), 1_700_000_000_001),
  ]);
  await store.applyResults([{ ...probeResult('c_twice', twice, answered(300, 9), 1_700_000_010_999), durationMs: 1 }]);
  const failing = await register('d:http', {
    service: 'région 🙂 中文',
    note: 'tab\there, return\rthere, \\n literal',
  });
  await store.applyResults([probeResult('d:http', failing, { kind: 'http_status', status: 503 })]);
  const gone = await register('e-dead', { env: '', note: '"\\"\n\\\n"' });
  await store.applyResults([probeResult('e-dead', gone, { kind: 'unreachable', error: 'connect ECONNREFUSED' })]);
  // Impacted by the two that are down, not by the one never probed.
  await store.register(registration('f-dependant', undefined, { dependsOn: ['e-dead', 'a-fresh', 'd:http'] }));
  return store;
}

test('the per-service families match prom-client byte for byte: escaping, unicode, absent readings, fractions', async (t) => {
  const store = await storeWithVariedServices(t);
  const records = store.list();
  const expected = await promClientServiceFamilies(records, KEYS);
  assertSameBytes(createServiceFamilies(KEYS).render(records), expected);
  // The cases are really there, so this test cannot pass on an exposition that lacks them.
  assert.match(expected, /attr_note="a \\"quoted\\" \\\\ path\\nnext line"/);
  assert.match(expected, /attr_service="région 🙂 中文"/);
  assert.match(expected, /health_monitor_service_last_response_seconds\{service="b\.once"\} 1\.234\n/);
  assert.doesNotMatch(expected, /error_ratio\{service="a-fresh"\}/);
  // Registered just now and never probed, against probed in 2023.
  assert.match(expected, /health_monitor_service_stale\{service="a-fresh"\} 0\n/);
  assert.match(expected, /health_monitor_service_stale\{service="b\.once"\} 1\n/);
});

test('with no services, or no attribute labels configured, the text still matches prom-client', async (t) => {
  assertSameBytes(createServiceFamilies(KEYS).render([]), await promClientServiceFamilies([], KEYS));
  const store = await storeWithVariedServices(t);
  assertSameBytes(createServiceFamilies([]).render(store.list()), await promClientServiceFamilies(store.list(), []));
});

/** `base` with `state` fields replaced: readings no probe produces, to cover number formatting. */
function withState(base: ServiceRecord, id: string, state: Partial<ServiceRecord['state']>): ServiceRecord {
  return Object.freeze({ ...base, request: { ...base.request, id }, state: { ...base.state, ...state } });
}

test('numbers print as prom-client prints them: integers, fractions, exponents, infinities, NaN, negative zero', async (t) => {
  const store = await storeWithVariedServices(t);
  const base = store.list()[0] as ServiceRecord;
  const sample = { requestCount: 1, errorCount: 0, uptimeSec: 1 };
  const readings: [number, number | null, number, number][] = [
    [Number.NaN, Number.POSITIVE_INFINITY, 1_700_000_000_123, 0],
    [Number.NEGATIVE_INFINITY, -0, 1e24, 0.0001],
    [1e-7, 0.1 + 0.2, 1_700_000_000_000.5, 1e21],
    [Number.MIN_VALUE, Number.MAX_VALUE, -1, 123_456_789.123_456_78],
    [1, null, 0, 5],
  ];
  const records = readings.map(([errorRate, recentErrorRate, lastCheckedAt, lastResponseMs], index) =>
    withState(base, `n${index}`, { sample, errorRate, recentErrorRate, lastCheckedAt, lastResponseMs }),
  );
  const expected = await promClientServiceFamilies(records, KEYS);
  assertSameBytes(createServiceFamilies(KEYS).render(records), expected);
  for (const text of [
    '{service="n0"} Nan',
    '{service="n0"} +Inf',
    '{service="n1"} -Inf',
    '{service="n2"} 1e-7',
    '{service="n2"} 1000000000000000000',
  ]) {
    assert.ok(expected.includes(text), `the reference has ${text}`);
  }
});

test('any attribute values, states and readings match prom-client (property, fixed seed)', async (t) => {
  const store = await storeWithVariedServices(t);
  const base = store.list()[0] as ServiceRecord;
  const keys = ['env', 'note', 'team-name'];
  // Any code point, with the characters that need escaping (and their look-alikes) made common.
  const character = fc.oneof(
    fc.constantFrom('\\', '"', '\n', 'n', '\r', '\t', 'é', '🙂'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  );
  const value = fc.string({ unit: character, maxLength: 12 });
  const reading = fc.option(fc.double(), { nil: null });
  const service = fc.record({
    id: fc.stringMatching(/^[A-Za-z0-9._:-]{1,12}$/),
    registered: fc.dictionary(fc.constantFrom(...keys), value),
    reported: fc.dictionary(fc.constantFrom(...keys), value),
    health: fc.constantFrom(...HEALTH_STATES),
    ready: fc.boolean(),
    counted: fc.boolean(),
    errorRate: fc.double(),
    recentErrorRate: reading,
    lastCheckedAt: reading,
    lastResponseMs: reading,
  });
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(service, { selector: (s) => s.id, maxLength: 6 }), async (services) => {
      const records = services
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((s) =>
          Object.freeze({
            ...base,
            request: { ...base.request, id: s.id, attributes: s.registered },
            state: {
              ...base.state,
              health: s.health,
              ready: s.ready,
              sample: s.counted ? { requestCount: 1, errorCount: 0, uptimeSec: null } : null,
              errorRate: s.errorRate,
              recentErrorRate: s.recentErrorRate,
              lastCheckedAt: s.lastCheckedAt,
              lastResponseMs: s.lastResponseMs,
              healthAttributes: s.reported,
            },
          }),
        );
      assertSameBytes(createServiceFamilies(keys).render(records), await promClientServiceFamilies(records, keys));
    }),
    { seed: 20_240_605, numRuns: 300 },
  );
});

test('the whole exposition matches a registry holding prom-client gauges and the monitor families', async (t) => {
  const store = await storeWithVariedServices(t);
  const metrics = createMonitorMetrics({ store, events: store.events, attributeLabels: KEYS, processMetrics: false });
  const reference = new Registry();
  registerPromClientServiceFamilies(reference, store, KEYS);
  registerPromClientImpactedFamily(reference, store);
  const referenceFamilies = registerMonitorMetrics(reference, store, store.events);
  t.after(() => {
    metrics.close();
    referenceFamilies.close();
  });
  store.recordCycle({
    startedAt: Date.now(),
    durationMs: 42,
    eventLoopUtilization: 0.05,
    scheduleLagMs: null,
    size: 5,
    applied: 5,
    outcomes: {
      http: { ...noOutcomes(), answered: 2, http_status: 1 },
      grpc: { ...noOutcomes(), answered: 1, grpc_status: 1 },
      tcp: { ...noOutcomes(), unreachable: 1 },
    },
  });
  for (const monitor of [metrics, referenceFamilies]) monitor.recordWebhookDelivery('retried');

  assertSameBytes(await metrics.exposition(), await reference.metrics());
  assert.equal(await metrics.render(), await reference.metrics(), 'render() is the same text');
  await store.deregister('c_twice');
  assertSameBytes(await metrics.exposition(), await reference.metrics(), 'still equal after a service left');
});
