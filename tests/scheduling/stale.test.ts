// A verdict no probe has confirmed for 2 × interval + timeout is marked stale in every view, and is
// current again once a probe finishes.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../../src/api/app.js';
import type { MetricsEntry, ServiceView } from '../../src/api/views.js';
import { ANY_TARGET } from '../../src/domain/index.js';
import { createServiceFamilies } from '../../src/metrics/service-families.js';
import { HEALTHY, openStore, probeResult, registration, TEST_DEFAULTS } from '../helpers/fixtures.js';
import { spawnMonitor } from '../helpers/processes.js';
import { json, startTarget } from '../helpers/target.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sleep, waitFor } from '../helpers/wait.js';

const staleLine = (text: string, id: string): string | undefined =>
  text.split('\n').find((line) => line.startsWith(`health_monitor_service_stale{service="${id}"} `));

test('stale in /metrics, /services and /services/:id and the Prometheus family, by the clock: from registration, then from the last probe', async (t) => {
  let clock = 1_700_000_000_000;
  const now = (): number => clock;
  const store = await openStore({ now });
  t.after(() => store.close());
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: null,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
    now,
  });
  const families = createServiceFamilies([], now);
  // TEST_DEFAULTS: a 10 s interval and a 2 s timeout.
  const threshold = 2 * TEST_DEFAULTS.pollIntervalMs + TEST_DEFAULTS.probeTimeoutMs;

  const views = async (): Promise<{
    metrics: boolean | undefined;
    list: boolean | undefined;
    one: boolean;
    prometheus: string | undefined;
  }> => {
    const metrics = (await (await app.request('/metrics?format=json')).json()) as MetricsEntry[];
    const list = (await (await app.request('/services')).json()) as ServiceView[];
    const one = (await (await app.request('/services/svc')).json()) as ServiceView;
    return {
      metrics: metrics[0]?.stale,
      list: list[0]?.stale,
      one: one.stale,
      prometheus: staleLine(families.render(store.list()).toString(), 'svc'),
    };
  };
  const expectStale = async (stale: boolean, what: string): Promise<void> => {
    assert.deepEqual(
      await views(),
      {
        metrics: stale,
        list: stale,
        one: stale,
        prometheus: `health_monitor_service_stale{service="svc"} ${stale ? 1 : 0}`,
      },
      what,
    );
  };

  const registeredAt = clock;
  const { record } = await store.register(registration('svc'));
  await expectStale(false, 'just registered');
  clock = registeredAt + threshold;
  await expectStale(false, 'never probed, exactly 2 × interval + timeout after registration');
  clock += 1;
  await expectStale(true, 'never probed, past 2 × interval + timeout after registration');

  // Probed now: the last probe finishes 5 ms after it starts.
  await store.applyResults([probeResult('svc', record.generation, HEALTHY, clock)]);
  const checkedAt = clock + 5;
  clock = checkedAt;
  await expectStale(false, 'just probed');
  clock = checkedAt + threshold;
  await expectStale(false, 'exactly 2 × interval + timeout after the last probe');
  clock += 1;
  await expectStale(true, 'past 2 × interval + timeout after the last probe');
  const [entry] = (await (await app.request('/metrics?format=json')).json()) as MetricsEntry[];
  assert.equal(entry?.health, 'healthy', 'the verdict is kept, only marked as not current');

  await store.applyResults([probeResult('svc', record.generation, HEALTHY, clock)]);
  await expectStale(false, 'probed again');
});

test('a monitor down for longer than 2 × interval + timeout: stale until its first probe after the restart finishes', async (t) => {
  const dbPath = join(tempDir(t), 'monitor.db');
  const intervalSec = 2;
  const timeoutMs = 2000;
  const thresholdMs = 2 * intervalSec * 1000 + timeoutMs;
  /** While set, probes are held unanswered here until the test answers them. */
  let held: ServerResponse[] | null = null;
  const target = await startTarget((_req, res) =>
    held ? held.push(res) : json(res, { uptime_sec: 1, request_count: 10, error_count: 0 }),
  );
  const read = async (
    url: string,
  ): Promise<{ entry: MetricsEntry | undefined; one: ServiceView; prometheus: string | undefined }> => {
    const [entry] = (await (await fetch(`${url}/metrics?format=json`)).json()) as MetricsEntry[];
    const one = (await (await fetch(`${url}/services/held`)).json()) as ServiceView;
    const prometheus = staleLine(await (await fetch(`${url}/metrics?format=prometheus`)).text(), 'held');
    return { entry, one, prometheus };
  };

  let monitor = await spawnMonitor(['--db-path', dbPath]);
  try {
    const registered = await fetch(`${monitor.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'held', url: target.url, poll_interval_sec: intervalSec, timeout_ms: timeoutMs }),
    });
    assert.equal(registered.status, 201);
    const first = await waitFor(async () => {
      const views = await read(monitor.url);
      return views.entry?.health === 'healthy' && views;
    }, 'the first probe');
    assert.equal(first.entry?.stale, false);
    assert.equal(first.one.stale, false);
    assert.equal(first.prometheus, 'health_monitor_service_stale{service="held"} 0');

    monitor.child.kill('SIGTERM');
    assert.equal((await monitor.exited).code, 0);
    held = [];
    // Its last probe finished before it exited: down for longer than the threshold after that.
    await sleep(thresholdMs + 500);
    const probesBefore = target.requests.length;
    monitor = await spawnMonitor(['--db-path', dbPath]);
    const upAt = Date.now();

    // Its first probe is in flight, held by the target: the last finished probe is still the old one.
    await waitFor(() => (held?.length ?? 0) > 0, 'the first probe after the restart');
    assert.equal(target.requests.length, probesBefore + 1);
    const overdueProbeAt = target.requests.at(-1)?.at ?? Infinity;
    assert.ok(
      overdueProbeAt - upAt <= timeoutMs,
      `overdue, it is probed soon after the restart, not ${overdueProbeAt - upAt} ms later`,
    );
    const during = await read(monitor.url);
    assert.ok(during.entry, 'the service is listed');
    assert.equal(during.entry.stale, true, `/metrics: last checked ${during.entry.last_checked}`);
    assert.ok((during.entry.last_checked_age_sec ?? 0) * 1000 > thresholdMs);
    assert.equal(during.entry.health, 'healthy', 'the old verdict is kept, marked as not current');
    assert.equal(during.one.stale, true, '/services/:id');
    assert.equal(during.prometheus, 'health_monitor_service_stale{service="held"} 1');

    const waiting = held;
    held = null;
    for (const res of waiting) json(res, { uptime_sec: 1, request_count: 20, error_count: 0 });
    const after = await waitFor(async () => {
      const views = await read(monitor.url);
      return views.entry?.request_count === 20 && views;
    }, 'the held probe to finish');
    assert.equal(after.entry?.stale, false);
    assert.equal(after.one.stale, false);
    assert.equal(after.prometheus, 'health_monitor_service_stale{service="held"} 0');
  } finally {
    for (const res of held ?? []) res.destroy();
    await monitor.stop();
    await target.close();
  }
});
