// One dead host must not stall the monitor. A black-holed host (connects hang) costs at most its
// attempts' deadlines, and no hanging or black-holed target delays the probes of another service:
// cycles do not wait for their slowest probe, and slow targets never take the last free slot.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { MetricsEntry } from '../../src/api/views.js';
import { startBlackHole } from '../helpers/black-hole.js';
import { spawnMonitor } from '../helpers/processes.js';
import { sleep, waitFor } from '../helpers/wait.js';

const HEALTHY = JSON.stringify({ uptime_sec: 1, request_count: 10, error_count: 0 });

/**
 * One server for every HTTP target: paths under /hang/ never answer. It counts requests in flight, in
 * all and per answered path. (A hanging path's attempt is seen to end only when its socket's close
 * reaches the server, which may come just after the retry's request: its gaps are checked instead.)
 */
async function startCountingTargets() {
  const arrivals = new Map<string, number[]>();
  const open = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  let maxPerPath = 0;
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const path = request.url ?? '';
    arrivals.set(path, [...(arrivals.get(path) ?? []), Date.now()]);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    open.set(path, (open.get(path) ?? 0) + 1);
    if (!path.startsWith('/hang/')) maxPerPath = Math.max(maxPerPath, open.get(path) ?? 0);
    response.on('close', () => {
      inFlight--;
      open.set(path, (open.get(path) ?? 1) - 1);
      hanging.delete(response);
    });
    if (path.startsWith('/hang/')) hanging.add(response);
    else response.writeHead(200, { 'content-type': 'application/json' }).end(HEALTHY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    probesOf: (id: string, from: number, to: number): number =>
      (arrivals.get(`/${id}/health`) ?? []).filter((at) => at >= from && at < to).length,
    arrivalsOf: (path: string): readonly number[] => arrivals.get(path) ?? [],
    get maxInFlight() {
      return maxInFlight;
    },
    get maxPerPath() {
      return maxPerPath;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function register(monitorUrl: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${monitorUrl}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.ok(response.status === 201, `registering ${String(body.id)}: ${response.status} ${await response.text()}`);
}

async function metricsOf(monitorUrl: string, id: string): Promise<MetricsEntry | undefined> {
  const entries = (await (await fetch(`${monitorUrl}/metrics`)).json()) as MetricsEntry[];
  return entries.find((entry) => entry.service === id);
}

test('a black-holed host costs at most its deadlines, and a healthy 1 s service beside it keeps its cadence', async () => {
  const hole = await startBlackHole();
  const targets = await startCountingTargets();
  const monitor = await spawnMonitor();
  try {
    const timeoutMs = 500;
    const attempts = 3;
    await register(monitor.url, { id: 'ok', url: `${targets.url}/ok`, poll_interval_sec: 1, health_path: '/health' });
    await register(monitor.url, { id: 'hole', url: hole.url, poll_interval_sec: 1, timeout_ms: timeoutMs });
    const from = Date.now();
    await sleep(10_000);
    const probes = targets.probesOf('ok', from, from + 10_000);
    assert.ok(
      probes >= 9 && probes <= 11,
      `the healthy service was probed ${probes} times in 10 s beside a black hole`,
    );
    const dead = await waitFor(async () => {
      const entry = await metricsOf(monitor.url, 'hole');
      return entry?.last_response_ms == null ? null : entry;
    }, 'the black hole to be probed');
    assert.equal(dead.health, 'dead');
    assert.match(dead.last_error ?? '', /^timeout after 500 ms$/);
    assert.ok(
      (dead.last_response_ms ?? Infinity) <= timeoutMs * attempts + 100,
      `the black hole's probe took ${dead.last_response_ms} ms`,
    );
  } finally {
    await monitor.stop();
    await targets.close();
    await hole.close();
  }
});

test('three hanging and two black-holed targets, with the defaults, never delay three healthy 1 s services', async () => {
  const holes = await Promise.all([startBlackHole(), startBlackHole()]);
  const targets = await startCountingTargets();
  const monitor = await spawnMonitor();
  try {
    const healthy = ['ok1', 'ok2', 'ok3'];
    for (const id of healthy) await register(monitor.url, { id, url: `${targets.url}/${id}`, poll_interval_sec: 1 });
    // The defaults: 10 s interval, 2 s timeout, 2 retries: each bad probe holds a slot 6 s of every 10.
    for (const id of ['h1', 'h2', 'h3']) await register(monitor.url, { id, url: `${targets.url}/hang/${id}` });
    for (const [i, hole] of holes.entries()) await register(monitor.url, { id: `bh${i}`, url: hole.url });
    // A target never probed is not known to be slow, so the five first attempts may take every slot once
    // (2 s); from their retries on they leave the last slot free. The window starts after that.
    await sleep(2500);
    const from = Date.now();
    await sleep(10_000);
    for (const id of healthy) {
      const probes = targets.probesOf(id, from, from + 10_000);
      assert.ok(probes >= 9 && probes <= 11, `${id} was probed ${probes} times in 10 s`);
    }
    assert.ok(targets.maxInFlight <= 5, `${targets.maxInFlight} requests were in flight at once`);
    assert.equal(targets.maxPerPath, 1, 'a healthy service was probed twice at once');
    for (const id of ['h1', 'h2', 'h3']) {
      const times = targets.arrivalsOf(`/hang/${id}/health`);
      assert.ok(times.length >= 3, `${id} was tried ${times.length} times`);
      // Each attempt holds the target until its 2 s deadline: a second probe at once would arrive sooner.
      for (let i = 1; i < times.length; i++)
        assert.ok(
          (times[i] ?? 0) - (times[i - 1] ?? 0) >= 1950,
          `${id}: attempts ${(times[i] ?? 0) - (times[i - 1] ?? 0)} ms apart`,
        );
    }
    for (const id of ['h1', 'h2', 'h3', 'bh0', 'bh1'])
      assert.equal((await metricsOf(monitor.url, id))?.health, 'dead', id);
  } finally {
    await monitor.stop();
    await targets.close();
    await Promise.all(holes.map((hole) => hole.close()));
  }
});
