// promtool, Prometheus's own linter, accepts the whole exposition without a remark.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMonitorMetrics } from '../../src/metrics/prometheus.js';
import { openStore, probeResult, registration } from '../helpers/fixtures.js';
import { promtoolCheckMetrics, requireBinary } from '../helpers/prometheus.js';
import { noOutcomes } from '../../src/store/events.js';

test('promtool check metrics reports nothing on an exposition with every family populated', async (t) => {
  requireBinary('promtool');
  const store = await openStore();
  const metrics = createMonitorMetrics({
    store,
    events: store.events,
    attributeLabels: ['service', 'env', 'team-name', '9lives'],
  });
  t.after(async () => {
    metrics.close();
    await store.close();
  });
  const attributes = { service: 'user', env: 'prod', 'team-name': 'core "platform"', '9lives': 'cat\nline' };
  const { record } = await store.register(registration('svc1', undefined, { attributes }));
  await store.register(registration('svc2'));
  const answered = (requestCount: number, errorCount: number) =>
    probeResult('svc1', record.generation, {
      kind: 'answered',
      report: { uptimeSec: 1, requestCount, errorCount, attributes: {} },
    });
  // Two answers, so the recent error ratio is there too.
  await store.applyResults([answered(100, 5)]);
  await store.applyResults([answered(200, 30)]);
  store.recordCycle({
    startedAt: Date.now(),
    durationMs: 42,
    eventLoopUtilization: 0.05,
    scheduleLagMs: null,
    size: 2,
    applied: 2,
    outcomes: { http: { ...noOutcomes(), answered: 1 }, tcp: { ...noOutcomes(), unreachable: 1 } },
  });
  metrics.recordWebhookDelivery('delivered');

  const text = await metrics.render();
  assert.match(
    text,
    /health_monitor_service_recent_error_ratio\{service="svc1"\} 0\.25/,
    'the exposition has the families it claims',
  );
  assert.match(text, /^process_cpu_seconds_total /m);
  const { status, output } = promtoolCheckMetrics(text);
  assert.equal(output, '', 'promtool has no remarks');
  assert.equal(status, 0);
});
