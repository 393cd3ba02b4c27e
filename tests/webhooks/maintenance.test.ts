// Maintenance windows through a real monitor, real targets and a real webhook receiver: a flip during
// a window sends nothing and leaves uptime alone; when the window ends by itself, notices resume and
// the held-back state is told; windows survive a restart; bad requests and missing tokens are refused.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { json, startTarget } from '../helpers/target.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { noticesOf, startReceiver } from '../helpers/webhook-receiver.js';

const WINDOW_SEC = 2;

const post = (url: string, body: unknown, token?: string): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });

test('a flip in a window sends nothing and leaves 24 h uptime alone; at its end notices resume', async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  let status = 200;
  const target = await startTarget((_request, response) => json(response, { uptime_sec: 1 }, status));
  t.after(() => target.close());
  const monitor = await spawnMonitor([], { WEBHOOK_URLS: receiver.url });
  t.after(() => monitor.stop());
  assert.equal((await register(monitor.url, { id: 'svc', url: target.url, poll_interval_sec: 1 })).status, 201);
  const view = async () =>
    (await (await fetch(`${monitor.url}/services/svc`)).json()) as {
      health: string;
      maintenance: { until: string; reason: string } | null;
    };
  await waitFor(async () => (await view()).health === 'healthy', 'svc healthy');

  const opened = await post(`${monitor.url}/services/svc/maintenance`, { duration_sec: WINDOW_SEC, reason: 'deploy' });
  assert.equal(opened.status, 201, await opened.clone().text());
  const window = (await opened.json()) as { scope: string; until: string; reason: string };
  assert.deepEqual([window.scope, window.reason], ['svc', 'deploy']);
  assert.deepEqual((await view()).maintenance, { until: window.until, reason: 'deploy' });
  const listed = (await (await fetch(`${monitor.url}/maintenance`)).json()) as { windows: { scope: string }[] };
  assert.deepEqual(
    listed.windows.map((w) => w.scope),
    ['svc'],
  );

  const flippedAt = Date.now();
  status = 500;
  await waitFor(async () => (await view()).health === 'unhealthy', 'svc unhealthy in the window');
  const uptime = (await (await fetch(`${monitor.url}/services/svc/uptime`)).json()) as {
    windows: { '24h': { probes: number; successes: number } };
  };
  assert.ok(uptime.windows['24h'].probes > 0);
  assert.equal(
    uptime.windows['24h'].successes,
    uptime.windows['24h'].probes,
    'the failed probes in the window are left out',
  );
  const during = () => noticesOf(receiver).filter((notice) => Date.parse(notice.at) >= flippedAt);
  assert.deepEqual(during(), [], 'no notice during the window');

  // The window ends by itself: the state held back is told once, and later changes go out as usual.
  await waitFor(() => during().length === 1, 'the held-back notice at the end of the window', 10_000);
  const [told] = during();
  assert.equal(told?.to?.health, 'unhealthy');
  assert.match(told?.reason ?? '', /held back during maintenance/);
  assert.ok(Date.parse(told?.at ?? '') >= Date.parse(window.until), 'sent once the window was over');
  assert.equal((await view()).maintenance, null);
  status = 200;
  await waitFor(() => during().some((notice) => notice.event === 'resolved'), 'the recovery, told as usual');
});

test('windows survive a restart, end early with DELETE, and refuse bad bodies and missing tokens', async (t) => {
  const dbPath = join(tempDir(t), 'monitor.db');
  const token = 'register-token-0123456789';
  const target = await startTarget((_request, response) => json(response, { uptime_sec: 1 }));
  t.after(() => target.close());
  const env = { REGISTER_TOKEN: token };
  let monitor = await spawnMonitor(['--db-path', dbPath], env);
  t.after(() => monitor.stop());
  const registered = await fetch(`${monitor.url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ id: 'svc', url: target.url }),
  });
  assert.equal(registered.status, 201);
  assert.equal((await post(`${monitor.url}/maintenance`, { duration_sec: 600 })).status, 401, 'the token is needed');
  const until = new Date(Date.now() + 3_600_000).toISOString();
  assert.equal(
    (await post(`${monitor.url}/maintenance`, { duration_sec: 600, reason: 'migration' }, token)).status,
    201,
  );
  assert.equal((await post(`${monitor.url}/services/svc/maintenance`, { until, reason: 'disk' }, token)).status, 201);
  assert.equal((await post(`${monitor.url}/services/nope/maintenance`, { duration_sec: 60 }, token)).status, 404);
  for (const [body, field] of [
    [{}, '(body)'],
    [{ until, duration_sec: 60 }, '(body)'],
    [{ until: '2020-01-01T00:00:00Z' }, 'until'],
    [{ until: 'tomorrow' }, 'until'],
    [{ duration_sec: -5 }, 'duration_sec'],
    [{ duration_sec: 60, colour: 'red' }, 'colour'],
  ] as const) {
    const refused = await post(`${monitor.url}/maintenance`, body, token);
    assert.equal(refused.status, 400, JSON.stringify(body));
    const error = (await refused.json()) as { error: { details: { field: string }[] } };
    assert.deepEqual(
      error.error.details.map((detail) => detail.field),
      [field],
      JSON.stringify(body),
    );
  }

  monitor.child.kill('SIGTERM');
  assert.equal((await monitor.exited).code, 0);
  monitor = await spawnMonitor(['--db-path', dbPath], env);
  const windows = (await (await fetch(`${monitor.url}/maintenance`)).json()) as {
    windows: { scope: string; reason: string; until: string }[];
  };
  assert.deepEqual(
    windows.windows.map((w) => [w.scope, w.reason]),
    [
      ['*', 'migration'],
      ['svc', 'disk'],
    ],
  );
  const service = (await (await fetch(`${monitor.url}/services/svc`)).json()) as { maintenance: { until: string } };
  assert.equal(service.maintenance.until, until, 'the later-ending window shows');

  const end = (path: string, withToken = true) =>
    fetch(`${monitor.url}${path}`, {
      method: 'DELETE',
      headers: withToken ? { authorization: `Bearer ${token}` } : {},
    });
  assert.equal((await end('/maintenance', false)).status, 401);
  assert.equal((await end('/maintenance')).status, 204);
  assert.equal((await end('/maintenance')).status, 404);
  assert.equal((await end('/services/svc/maintenance')).status, 204);
  assert.deepEqual(((await (await fetch(`${monitor.url}/maintenance`)).json()) as { windows: unknown[] }).windows, []);
});
