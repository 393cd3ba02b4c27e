// A real Prometheus 2.x scrapes the monitor with its own Accept header and reads the services' state.
import { serve } from '@hono/node-server';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../../src/api/app.js';
import { ANY_TARGET } from '../../src/domain/index.js';
import { createMonitorMetrics } from '../../src/metrics/prometheus.js';
import { TEST_DEFAULTS } from '../helpers/fixtures.js';
import { startHarness } from '../helpers/harness.js';
import { pollUntil, requireBinary, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { json, refusedUrl, startTarget } from '../helpers/target.js';

test('Prometheus scrapes the monitor: a healthy service reads up 1, a dead one up 0 and state dead', async (t) => {
  requireBinary('prometheus');
  // node:test runs after-hooks in the order they were added; teardown must run in reverse of setup
  // (Prometheus stopped before its data folder goes, the server before the store).
  const teardown: (() => unknown)[] = [];
  t.after(async () => {
    for (const step of teardown.reverse()) await step();
  });
  const harness = await startHarness({ defaults: { pollIntervalMs: 1000, probeTimeoutMs: 500, probeRetries: 0 } });
  teardown.push(() => harness.stop());
  const metrics = createMonitorMetrics({
    store: harness.store,
    events: harness.store.events,
    attributeLabels: ['env'],
  });
  teardown.push(() => metrics.close());
  const target = await startTarget((_request, response) =>
    json(response, { uptime_sec: 5, request_count: 10, error_count: 0 }),
  );
  teardown.push(() => target.close());

  const app = createApp({
    store: harness.store,
    defaults: TEST_DEFAULTS,
    registerToken: null,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
    prometheus: metrics,
  });
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started as Server));
  });
  teardown.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const monitorPort = (server.address() as AddressInfo).port;

  await harness.register('alive', target.url, { attributes: { env: 'test' } });
  await harness.register('gone', await refusedUrl());

  const dir = mkdtempSync(join(tmpdir(), 'health-monitor-prometheus-'));
  teardown.push(() => rmSync(dir, { recursive: true, force: true }));
  const prometheus: PrometheusServer = await startPrometheus(`127.0.0.1:${monitorPort}`, dir);
  teardown.push(() => prometheus.stop());

  const expectations: [string, number][] = [
    ['health_monitor_service_up{service="alive"}', 1],
    ['health_monitor_service_up{service="gone"}', 0],
    ['health_monitor_service_health{service="gone",state="dead"}', 1],
    ['health_monitor_service_health{service="alive",state="healthy"}', 1],
    ['health_monitor_service_info{service="alive",attr_env="test"}', 1],
    ['sum(health_monitor_probes_total)', Number.NaN],
  ];
  for (const [query, expected] of expectations) {
    let last: number | null = null;
    await pollUntil(
      async () => {
        last = await prometheus.query(query);
        // NaN stands for "any positive value": probes are counted, how many depends on timing.
        return Number.isNaN(expected) ? last !== null && last > 0 : last === expected;
      },
      `Prometheus to read ${query} as ${Number.isNaN(expected) ? '> 0' : expected}`,
      30_000,
    ).catch(async (error: unknown) => {
      throw new Error(
        `${(error as Error).message}; last read ${String(last)}\ntargets: ${await prometheus.targets()}\nprometheus output:\n${prometheus.output().slice(-3000)}`,
      );
    });
  }
  // The scrape went through the content negotiation: Prometheus stored the text format, not JSON.
  assert.equal(await prometheus.query('up{job="health-monitor"}'), 1);
});
