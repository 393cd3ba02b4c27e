import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { HEALTH_STATES, type ProbeOutcome } from '../domain/index.js';
import { HEALTHY, openStore, probeResult, registration } from '../../tests/helpers/fixtures.js';
import { parseExposition, samplesOf, valueOf, type Sample } from '../../tests/helpers/exposition.js';
import { noOutcomes, type CycleEvent } from '../store/events.js';
import type { ServiceStore } from '../store/store.js';
import { createMonitorMetrics, type MonitorMetrics } from './prometheus.js';

async function setup(t: TestContext, attributeLabels: readonly string[] = ['service', 'env', 'team', 'version']) {
  const store = await openStore();
  const metrics = createMonitorMetrics({ store, events: store.events, attributeLabels, processMetrics: false });
  t.after(async () => {
    metrics.close();
    await store.close();
  });
  return { store, metrics };
}

async function scrape(metrics: MonitorMetrics): Promise<Sample[]> {
  return parseExposition(await metrics.render());
}

/** Registers `id` and applies one probe with `outcome`. */
async function probed(
  store: ServiceStore,
  id: string,
  outcome: ProbeOutcome,
  attributes: Record<string, string> = {},
): Promise<void> {
  const { record } = await store.register(registration(id, undefined, { attributes }));
  await store.applyResults([probeResult(id, record.generation, outcome)]);
}

function answered(requestCount: number, errorCount: number, attributes: Record<string, string> = {}): ProbeOutcome {
  return { kind: 'answered', report: { uptimeSec: 1, requestCount, errorCount, attributes } };
}

function cycle(
  outcomes: Partial<Record<ProbeOutcome['kind'], number>>,
  durationMs = 100,
  size = 1,
  protocol = 'http',
): CycleEvent {
  return {
    startedAt: Date.now(),
    durationMs,
    eventLoopUtilization: 0.05,
    scheduleLagMs: null,
    size,
    applied: size,
    outcomes: { [protocol]: { ...noOutcomes(), ...outcomes } },
  };
}

test('health is a one-hot state set over all five states, and up follows readiness', async (t) => {
  const { store, metrics } = await setup(t);
  await store.register(registration('fresh'));
  await probed(store, 'fine', HEALTHY);
  await probed(store, 'erroring', answered(100, 50));
  await probed(store, 'failing', { kind: 'http_status', status: 500 });
  await probed(store, 'gone', { kind: 'unreachable', error: 'connect ECONNREFUSED' });
  const expected = {
    fresh: 'unknown',
    fine: 'healthy',
    erroring: 'degraded',
    failing: 'unhealthy',
    gone: 'dead',
  } as const;

  const samples = await scrape(metrics);
  for (const [service, health] of Object.entries(expected)) {
    const set = samplesOf(samples, 'health_monitor_service_health', { service });
    assert.deepEqual(
      set.map((s) => s.labels['state']).sort(),
      [...HEALTH_STATES].sort(),
      `${service}: every state has a sample`,
    );
    for (const sample of set)
      assert.equal(sample.value, sample.labels['state'] === health ? 1 : 0, `${service} ${sample.labels['state']}`);
    assert.equal(
      valueOf(samples, 'health_monitor_service_up', { service }),
      store.get(service)?.state.ready ? 1 : 0,
      `${service}: up`,
    );
  }
  assert.equal(valueOf(samples, 'health_monitor_service_up', { service: 'fine' }), 1);
  assert.equal(valueOf(samples, 'health_monitor_service_up', { service: 'gone' }), 0);
});

test('info carries only the configured attribute keys, sanitised and prefixed, /health attributes winning', async (t) => {
  const { store, metrics } = await setup(t, ['service', 'env', 'team-name', '9lives', 'constructor', 'missing']);
  const { record } = await store.register(
    registration('svc1', undefined, {
      attributes: { service: 'user', env: 'prod', 'team-name': 'core', '9lives': 'cat', secret: 'not exported' },
    }),
  );
  await store.applyResults([probeResult('svc1', record.generation, answered(10, 0, { env: 'staging', region: 'eu' }))]);

  const [info, ...others] = samplesOf(await scrape(metrics), 'health_monitor_service_info');
  assert.equal(others.length, 0);
  assert.deepEqual(info, {
    name: 'health_monitor_service_info',
    labels: { service: 'svc1', attr_service: 'user', attr_env: 'staging', attr_team_name: 'core', attr_9lives: 'cat' },
    value: 1,
  });
});

test('label values are escaped so quotes, backslashes and newlines survive a round trip', async (t) => {
  const { store, metrics } = await setup(t, ['note']);
  await store.register(registration('svc1', undefined, { attributes: { note: 'a "quoted" \\ path\nnext line' } }));
  const info = samplesOf(await scrape(metrics), 'health_monitor_service_info', { service: 'svc1' });
  assert.equal(info[0]?.labels['attr_note'], 'a "quoted" \\ path\nnext line');
});

test('readings are omitted until there is something to read, in base units after', async (t) => {
  const { store, metrics } = await setup(t);
  await store.register(registration('fresh'));
  const { record } = await store.register(registration('counted'));
  const first = {
    ...probeResult('counted', record.generation, answered(100, 10)),
    durationMs: 250,
    startedAt: 1_700_000_000_000,
  };
  await store.applyResults([first]);

  let samples = await scrape(metrics);
  for (const name of [
    'health_monitor_service_error_ratio',
    'health_monitor_service_recent_error_ratio',
    'health_monitor_service_last_check_timestamp_seconds',
    'health_monitor_service_last_response_seconds',
  ]) {
    assert.equal(samplesOf(samples, name, { service: 'fresh' }).length, 0, `${name}: no sample before the first probe`);
  }
  assert.equal(valueOf(samples, 'health_monitor_service_error_ratio', { service: 'counted' }), 0.1);
  assert.equal(
    samplesOf(samples, 'health_monitor_service_recent_error_ratio', { service: 'counted' }).length,
    0,
    'one answer gives no recent ratio',
  );
  assert.equal(valueOf(samples, 'health_monitor_service_last_response_seconds', { service: 'counted' }), 0.25);
  assert.equal(
    valueOf(samples, 'health_monitor_service_last_check_timestamp_seconds', { service: 'counted' }),
    1_700_000_000.25,
  );

  await store.applyResults([probeResult('counted', record.generation, answered(200, 40))]);
  samples = await scrape(metrics);
  assert.equal(valueOf(samples, 'health_monitor_service_recent_error_ratio', { service: 'counted' }), 0.3);
  assert.equal(valueOf(samples, 'health_monitor_service_error_ratio', { service: 'counted' }), 0.2);
});

test('probes_total counts the outcomes of cycle events; the cycle histograms observe duration and size', async (t) => {
  const { store, metrics } = await setup(t);
  let samples = await scrape(metrics);
  for (const protocol of ['http', 'grpc', 'tcp']) {
    for (const outcome of ['answered', 'http_status', 'grpc_status', 'invalid_body', 'unreachable', 'monitor_error']) {
      assert.equal(
        valueOf(samples, 'health_monitor_probes_total', { outcome, protocol }),
        0,
        `${protocol} ${outcome} exists at 0 before any cycle`,
      );
    }
  }

  store.recordCycle(cycle({ answered: 3, unreachable: 2 }, 1500, 5));
  store.recordCycle(cycle({ answered: 4, monitor_error: 1 }, 20, 5));
  store.recordCycle(cycle({ answered: 2, grpc_status: 1 }, 20, 3, 'grpc'));
  samples = await scrape(metrics);
  const expected = { answered: 7, http_status: 0, invalid_body: 0, unreachable: 2, monitor_error: 1 };
  for (const [outcome, count] of Object.entries(expected)) {
    assert.equal(valueOf(samples, 'health_monitor_probes_total', { outcome, protocol: 'http' }), count, outcome);
  }
  assert.equal(valueOf(samples, 'health_monitor_probes_total', { outcome: 'answered', protocol: 'grpc' }), 2);
  assert.equal(valueOf(samples, 'health_monitor_probes_total', { outcome: 'grpc_status', protocol: 'grpc' }), 1);
  assert.equal(valueOf(samples, 'health_monitor_probes_total', { outcome: 'answered', protocol: 'tcp' }), 0);
  assert.equal(valueOf(samples, 'health_monitor_cycle_duration_seconds_count'), 3);
  assert.equal(valueOf(samples, 'health_monitor_cycle_duration_seconds_sum'), 1.54);
  assert.equal(valueOf(samples, 'health_monitor_cycle_duration_seconds_bucket', { le: '1' }), 2);
  assert.equal(valueOf(samples, 'health_monitor_cycle_services_sum'), 13);

  metrics.close();
  store.recordCycle(cycle({ answered: 100 }));
  samples = await scrape(metrics);
  assert.equal(
    valueOf(samples, 'health_monitor_probes_total', { outcome: 'answered', protocol: 'http' }),
    7,
    'a closed instance no longer listens',
  );
});

test('services follows registrations; a deregistered service leaves every per-service family', async (t) => {
  const { store, metrics } = await setup(t);
  await probed(store, 'stays', HEALTHY);
  await probed(store, 'leaves', HEALTHY);
  assert.equal(valueOf(await scrape(metrics), 'health_monitor_services'), 2);

  await store.deregister('leaves');
  const samples = await scrape(metrics);
  assert.equal(valueOf(samples, 'health_monitor_services'), 1);
  assert.deepEqual(
    samples.filter((s) => s.labels['service'] === 'leaves'),
    [],
  );
  assert.equal(valueOf(samples, 'health_monitor_service_up', { service: 'stays' }), 1);
});

test('webhook deliveries are counted by outcome; an unknown outcome is refused by name', async (t) => {
  const { metrics } = await setup(t);
  metrics.recordWebhookDelivery('delivered');
  metrics.recordWebhookDelivery('delivered');
  metrics.recordWebhookDelivery('dropped');
  const samples = await scrape(metrics);
  assert.deepEqual(
    Object.fromEntries(
      samplesOf(samples, 'health_monitor_webhook_deliveries_total').map((s) => [s.labels['outcome'], s.value]),
    ),
    { delivered: 2, retried: 0, failed: 0, dropped: 1 },
  );
  // Untyped callers exist (plain JS, a wrong cast): the error names the value and the choices.
  const unknown = 'lost' as Parameters<MonitorMetrics['recordWebhookDelivery']>[0];
  assert.throws(
    () => metrics.recordWebhookDelivery(unknown),
    /unknown webhook delivery outcome "lost"; expected one of delivered, retried, failed, dropped/,
  );
});

test('two instances keep separate registries; process metrics come unprefixed and only when asked for', async (t) => {
  const store = await openStore();
  const withProcess = createMonitorMetrics({ store, events: store.events, attributeLabels: [] });
  const without = createMonitorMetrics({ store, events: store.events, attributeLabels: [], processMetrics: false });
  t.after(async () => {
    withProcess.close();
    without.close();
    await store.close();
  });
  store.recordCycle(cycle({ answered: 1 }));
  const a = await scrape(withProcess);
  const b = await scrape(without);
  assert.equal(valueOf(a, 'health_monitor_probes_total', { outcome: 'answered', protocol: 'http' }), 1);
  assert.equal(valueOf(b, 'health_monitor_probes_total', { outcome: 'answered', protocol: 'http' }), 1);
  assert.ok(samplesOf(a, 'process_resident_memory_bytes').length === 1, 'process metrics are there');
  assert.equal(
    samplesOf(a, 'nodejs_active_handles_total').length,
    0,
    'the *_total gauges promtool rejects are dropped',
  );
  assert.equal(b.filter((s) => !s.name.startsWith('health_monitor_')).length, 0);
  assert.equal(withProcess.contentType, 'text/plain; version=0.0.4; charset=utf-8');
});

test('attribute keys that would share a label name are refused when the metrics are created', async () => {
  const store = await openStore();
  try {
    assert.throws(
      () =>
        createMonitorMetrics({
          store,
          events: store.events,
          attributeLabels: ['team-name', 'team.name'],
          processMetrics: false,
        }),
      /"team-name" and "team.name" both become the label attr_team_name; keep only one of them/,
    );
  } finally {
    await store.close();
  }
});
