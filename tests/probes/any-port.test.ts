// A monitor reaches a health endpoint on any TCP port: the fetch standard's "bad ports" are a browser
// rule, and the probe does not run on fetch. Port 0 stays refused: nothing can listen on it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metrics, register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { json, startTarget, type Target } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';

/** On the fetch standard's bad-port list; the first one free on this machine is used. */
const BAD_PORTS = [6566, 10080, 6000, 6665];

async function targetOnABadPort(): Promise<Target> {
  for (const port of BAD_PORTS) {
    try {
      return await startTarget((_request, response) => json(response, { uptime_sec: 1 }), port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error(`every one of the ports ${BAD_PORTS.join(', ')} is taken on 127.0.0.1`);
}

test('a target on a fetch "bad port" is registered (201) and probed healthy; port 0 is refused', async (t) => {
  const target = await targetOnABadPort();
  t.after(() => target.close());
  const monitor = await spawnMonitor();
  t.after(() => monitor.stop());
  const registered = await register(monitor.url, {
    id: 'odd-port',
    url: target.url,
    poll_interval_sec: 1,
    webhook_url: `http://127.0.0.1:${target.port}/hook`,
  });
  assert.equal(registered.status, 201, await registered.text());
  await waitFor(
    async () =>
      (await metrics(monitor.url)).find((entry) => entry.service === 'odd-port' && entry.health === 'healthy'),
    `a healthy probe of ${target.url}`,
  );
  assert.ok(target.requests.some((request) => request.path === '/health'));

  const refused = await register(monitor.url, { id: 'port-zero', url: 'http://127.0.0.1:0' });
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /port 0 cannot be connected to/);
});
