// tcp:// through a real monitor: a listening port is healthy, a closed one dead, one that accepts and
// never speaks healthy (connect only); and more services than slots on a host that never answers SYNs
// never delay a healthy one once each has been tried: the cap and the slow-target rule hold for tcp.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { startBlackHole } from '../helpers/black-hole.js';
import { metrics, register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { refusedUrl } from '../helpers/target.js';
import { sleep, waitFor } from '../helpers/wait.js';

/**
 * A target never probed is not known to be slow, so the first attempts of new black-holed services may
 * take every slot once; from then on they leave the last slot free. The window starts after that.
 */
const HOLES = 10;

/** A port that accepts and never writes, recording when each connection came. */
async function silentPort(t: { after: (fn: () => void) => void }) {
  const arrivals: number[] = [];
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    arrivals.push(Date.now());
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { url: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals };
}

test('tcp: connected is healthy (even silent), closed is dead; 10 black-holed services never delay a healthy one', async (t) => {
  const silent = await silentPort(t);
  const hole = await startBlackHole();
  t.after(() => hole.close());
  const monitor = await spawnMonitor();
  t.after(() => monitor.stop());
  const closed = (await refusedUrl()).replace(/^http:/, 'tcp:');
  assert.equal((await register(monitor.url, { id: 'silent', url: silent.url, poll_interval_sec: 1 })).status, 201);
  assert.equal((await register(monitor.url, { id: 'closed', url: closed, poll_interval_sec: 1 })).status, 201);
  const holeUrl = hole.url.replace(/^http:/, 'tcp:');
  for (let i = 0; i < HOLES; i++) {
    const answer = await register(monitor.url, { id: `bh${i}`, url: holeUrl, poll_interval_sec: 1, timeout_ms: 500 });
    assert.equal(answer.status, 201);
  }
  await waitFor(
    async () => {
      const entries = await metrics(monitor.url);
      const health = (id: string) => entries.find((entry) => entry.service === id)?.health;
      return (
        health('silent') === 'healthy' &&
        health('closed') === 'dead' &&
        Array.from({ length: HOLES }, (_, i) => health(`bh${i}`)).every((h) => h === 'dead')
      );
    },
    'silent healthy, closed dead, and every black-holed service tried',
    15_000,
  );

  // Every black-holed probe holds a slot for its deadline; the healthy one still gets one each second.
  const from = Date.now();
  await sleep(4000);
  const probes = silent.arrivals.filter((at) => at >= from && at < from + 4000).length;
  assert.ok(probes >= 3 && probes <= 5, `the silent port was probed ${probes} times in 4 s`);
  const entries = await metrics(monitor.url);
  assert.match(entries.find((entry) => entry.service === 'closed')?.last_error ?? '', /connection refused/);
  assert.match(entries.find((entry) => entry.service === 'bh0')?.last_error ?? '', /^timeout after 500 ms$/);
  assert.equal(entries.find((entry) => entry.service === 'bh0')?.health, 'dead');
});
