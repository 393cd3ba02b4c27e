// depends_on through a real monitor, real targets and a real webhook receiver: a dependant that fails
// while its dependency is down says so (impacted_by in JSON, Prometheus and the event stream) and
// sends nothing; when the dependency is back and it is still bad, one notice says it was held back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExposition, samplesOf } from '../helpers/exposition.js';
import { register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { connectSse } from '../helpers/sse-client.js';
import { json, startTarget } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';
import { noticesOf, startReceiver } from '../helpers/webhook-receiver.js';

interface View {
  health: string;
  impacted_by: string[];
  depends_on: string[];
  dependencies: { id: string; health: string }[];
}

async function switchableTarget(t: { after: (fn: () => Promise<void>) => void }) {
  let status = 200;
  const target = await startTarget((_request, response) =>
    json(response, { uptime_sec: 1, request_count: 10, error_count: 0 }, status),
  );
  t.after(() => target.close());
  return { url: target.url, set: (next: number) => (status = next) };
}

test('a dependant failing while its dependency is down is held back, then told once it is still bad', async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const db = await switchableTarget(t);
  const api = await switchableTarget(t);
  const monitor = await spawnMonitor([], { WEBHOOK_URLS: receiver.url });
  t.after(() => monitor.stop());
  const view = async (id: string): Promise<View> =>
    (await (await fetch(`${monitor.url}/services/${id}`)).json()) as View;
  const healthOf = async (id: string): Promise<string> => (await view(id)).health;

  for (const body of [
    { id: 'db', url: db.url, poll_interval_sec: 1 },
    // Three failures in a row before api turns: its dependency, judged at once, is seen down first.
    { id: 'api', url: api.url, poll_interval_sec: 1, failure_threshold: 3, depends_on: ['db'] },
  ]) {
    const answer = await register(monitor.url, body);
    assert.equal(answer.status, 201, await answer.text());
  }
  await waitFor(async () => (await healthOf('db')) === 'healthy' && (await healthOf('api')) === 'healthy', 'both up');
  const events = await connectSse(`${monitor.url}/events`);
  t.after(() => events.close());
  const noticesFor = (id: string, since: number) =>
    noticesOf(receiver).filter((notice) => notice.service === id && Date.parse(notice.at) >= since);

  const flippedAt = Date.now();
  db.set(500);
  api.set(500);
  await waitFor(async () => (await healthOf('api')) === 'unhealthy', 'api unhealthy');
  assert.equal(await healthOf('db'), 'unhealthy');
  assert.deepEqual((await view('api')).impacted_by, ['db']);
  const metrics = (await (await fetch(`${monitor.url}/metrics`)).json()) as {
    service: string;
    impacted_by: string[];
  }[];
  assert.deepEqual(metrics.find((entry) => entry.service === 'api')?.impacted_by, ['db']);
  assert.deepEqual(metrics.find((entry) => entry.service === 'db')?.impacted_by, []);
  const samples = parseExposition(await (await fetch(`${monitor.url}/metrics?format=prometheus`)).text());
  assert.deepEqual(
    samplesOf(samples, 'health_monitor_service_impacted').map((sample) => [sample.labels, sample.value]),
    [[{ service: 'api', by: 'db' }, 1]],
  );
  await events.waitFor(
    (messages) =>
      messages.some(
        (m) => m.event === 'transition' && m.data.includes('"unhealthy"') && m.data.includes('"impacted_by":["db"]'),
      ),
    "api's transition with impacted_by in the stream",
  );
  await waitFor(() => noticesFor('db', flippedAt).length === 1, "db's notice delivered");
  // A few more probes of both: api's notice still has not gone out.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.deepEqual(noticesFor('api', flippedAt), [], 'no notice for api while db is down');

  const recoveredAt = Date.now();
  db.set(200);
  await waitFor(() => noticesFor('api', recoveredAt).length > 0, 'the held-back notice for api');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const released = noticesFor('api', recoveredAt);
  assert.equal(released.length, 1, 'exactly one');
  assert.equal(released[0]?.to?.health, 'unhealthy');
  assert.match(released[0]?.reason ?? '', /held back while db was down/);
  assert.deepEqual((await view('api')).impacted_by, []);
});

test('a dependency loop is refused with 400 naming it; an id not registered yet is accepted and shown unknown', async (t) => {
  const target = await switchableTarget(t);
  const monitor = await spawnMonitor();
  t.after(() => monitor.stop());
  const a = await register(monitor.url, { id: 'a', url: target.url, depends_on: ['b'] });
  const shown = (await a.json()) as View;
  assert.equal(a.status, 201, JSON.stringify(shown));
  assert.deepEqual(shown.dependencies, [{ id: 'b', health: 'unknown' }]);
  const b = await register(monitor.url, { id: 'b', url: target.url, depends_on: ['a'] });
  assert.equal(b.status, 400);
  const error = (await b.json()) as { error: { code: string; details: { field: string; message: string }[] } };
  assert.equal(error.error.code, 'invalid_registration');
  assert.deepEqual(error.error.details, [{ field: 'depends_on', message: 'would make a dependency cycle: b → a → b' }]);
  const self = await register(monitor.url, { id: 'c', url: target.url, depends_on: ['c'] });
  assert.equal(self.status, 400);
  const twice = await register(monitor.url, { id: 'd', url: target.url, depends_on: ['a', 'a'] });
  assert.match(await twice.text(), /depends_on.*must not list a service twice/);
  assert.equal((await fetch(`${monitor.url}/services/b`)).status, 404, 'nothing of the refused one was stored');
});
