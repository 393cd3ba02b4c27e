// degraded_latency_ms through a real monitor: a target answering in 300 ms is degraded under a 100 ms
// limit and healthy under a 1000 ms one; a limit the timeout would cut off is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { json, startTarget } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';

test('a 300 ms answer is degraded with degraded_latency_ms 100 and healthy with 1000', async (t) => {
  const target = await startTarget((_request, response) => {
    setTimeout(() => json(response, { uptime_sec: 1, request_count: 10, error_count: 0 }), 300);
  });
  t.after(() => target.close());
  const monitor = await spawnMonitor();
  t.after(() => monitor.stop());
  for (const [id, limit] of [
    ['strict', 100],
    ['lenient', 1000],
  ] as const) {
    const answer = await register(monitor.url, {
      id,
      url: target.url,
      poll_interval_sec: 2,
      timeout_ms: 1500,
      degraded_latency_ms: limit,
    });
    assert.equal(answer.status, 201, await answer.text());
  }
  const view = async (id: string) =>
    (await (await fetch(`${monitor.url}/services/${id}`)).json()) as {
      health: string;
      ready: boolean;
      reason: string;
      degraded_latency_ms: number | null;
    };
  const strict = await waitFor(async () => {
    const service = await view('strict');
    return service.health === 'unknown' ? undefined : service;
  }, 'the strict service probed');
  assert.equal(strict.health, 'degraded');
  assert.equal(strict.ready, true);
  assert.match(strict.reason, /^answered in \d+ ms, over 100 ms$/);
  assert.equal(strict.degraded_latency_ms, 100);
  const lenient = await waitFor(async () => {
    const service = await view('lenient');
    return service.health === 'unknown' ? undefined : service;
  }, 'the lenient service probed');
  assert.equal(lenient.health, 'healthy');

  const refused = await register(monitor.url, {
    id: 'never',
    url: target.url,
    timeout_ms: 500,
    degraded_latency_ms: 500,
  });
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /degraded_latency_ms.*must be below the probe timeout \(500 ms\)/);
});
