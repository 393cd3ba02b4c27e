// The monitor and the example services as real processes: what a user sees, and clean shutdown.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { MetricsEntry } from '../../src/api/views.js';
import { spawnMonitor, spawnNode } from '../helpers/processes.js';
import { startTarget } from '../helpers/target.js';
import { sleep, waitFor } from '../helpers/wait.js';

async function metrics(url: string): Promise<MetricsEntry[]> {
  return (await (await fetch(`${url}/metrics`)).json()) as MetricsEntry[];
}

async function pollMetrics(
  url: string,
  check: (entries: MetricsEntry[]) => boolean,
  what: string,
  timeoutMs: number,
): Promise<MetricsEntry[]> {
  let latest: MetricsEntry[] = [];
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    latest = await metrics(url);
    if (check(latest)) return latest;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; last /metrics: ${JSON.stringify(latest)}`);
}

test('svc1 and svc2 started as processes register themselves and appear in /metrics', async () => {
  const monitor = await spawnMonitor(['--poll-interval-ms', '1000']);
  const args = ['--port', '0', '--monitor-url', monitor.url, '--poll-interval-sec', '1'];
  const svc1 = spawnNode('services/svc1/main.js', args);
  const svc2 = spawnNode('services/svc2/main.js', args);
  try {
    const entries = await pollMetrics(
      monitor.url,
      (list) => list.length === 2 && list.every((entry) => entry.health !== 'unknown'),
      'svc1 and svc2 probed',
      15_000,
    );
    assert.deepEqual(
      entries.map((entry) => entry.service),
      ['svc1', 'svc2'],
    );
    const svc1Entry = entries[0];
    assert.equal(svc1Entry?.health, 'healthy');
    assert.equal(svc1Entry?.status, 'UP');
    assert.equal(svc1Entry?.attributes['service'], 'user');
    assert.ok((svc1Entry?.request_count ?? 0) > 0);
  } finally {
    await Promise.all([svc1.stop(), svc2.stop(), monitor.stop()]);
  }
});

test('a service started before the monitor keeps retrying and registers once it is up', async () => {
  // Reserve a port for the monitor by briefly listening on it.
  const probe = await startTarget(() => undefined);
  const port = probe.port;
  await probe.close();
  const svc1 = spawnNode('services/svc1/main.js', ['--port', '0', '--monitor-url', `http://127.0.0.1:${port}`]);
  try {
    await waitFor(() => /retrying in/.test(svc1.output()), 'svc1 to retry', 5000);
    const monitor = await spawnMonitor(['--port', String(port)]);
    try {
      await waitFor(() => /registered with/.test(svc1.output()), 'svc1 to register', 15_000);
    } finally {
      await monitor.stop();
    }
  } finally {
    await svc1.stop();
  }
});

test('a service written against the reference appears with the right health within one interval', async () => {
  const monitor = await spawnMonitor(['--poll-interval-ms', '2000']);
  let requests = 0;
  const server = createServer((request, response) => {
    if (request.url !== '/health') return void response.writeHead(404).end();
    requests += 10;
    // Go's encoder without a content type: the body reaches us as text/plain.
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(
      `${JSON.stringify({ uptime_sec: 42, request_count: requests, error_count: Math.floor(requests * 0.5), attributes: { region: 'eu' } })}\n`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const registered = await fetch(`${monitor.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'ref',
        url: `http://127.0.0.1:${port}`,
        attributes: { service: 'orders', env: 'prod' },
        poll_interval_sec: 2,
      }),
    });
    assert.equal(registered.status, 201);
    const [entry] = await pollMetrics(monitor.url, (list) => list[0]?.health !== 'unknown', 'the first probe', 2000);
    assert.equal(entry?.health, 'degraded');
    assert.equal(entry?.ready, true);
    assert.equal(entry?.uptime_sec, 42);
    assert.equal(entry?.error_rate, 0.5);
    assert.deepEqual(entry?.attributes, { service: 'orders', env: 'prod', region: 'eu' });
    assert.equal(entry?.poll_interval_sec, 2);
  } finally {
    server.close();
    server.closeAllConnections();
    await monitor.stop();
  }
});

test('SIGTERM with probes in flight exits 0 within 5 s', async () => {
  const hanging = await startTarget(() => undefined);
  const monitor = await spawnMonitor(['--probe-timeout-ms', '2000', '--probe-retries', '2']);
  try {
    const registered = await fetch(`${monitor.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'hangs', url: hanging.url }),
    });
    assert.equal(registered.status, 201);
    await waitFor(() => hanging.requests.length >= 1, 'a probe in flight');
    const signalledAt = Date.now();
    monitor.child.kill('SIGTERM');
    const { code } = await monitor.exited;
    const took = Date.now() - signalledAt;
    assert.equal(code, 0, monitor.output());
    assert.ok(took < 5000, `shutdown took ${took} ms`);
    assert.match(monitor.output(), /"msg":"stopped"/);
  } finally {
    await monitor.stop();
    await hanging.close();
  }
});

test('a second signal exits at once, without waiting for requests to drain', async () => {
  const monitor = await spawnMonitor();
  const { port } = new URL(monitor.url);
  // A registration whose body never finishes keeps a request in progress, so the first
  // signal's shutdown waits for it to drain.
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write('POST /register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
  socket.on('error', () => undefined);
  try {
    await sleep(200);
    monitor.child.kill('SIGTERM');
    await waitFor(() => /shutting down/.test(monitor.output()), 'the shutdown to begin');
    await sleep(100);
    assert.equal(monitor.child.exitCode, null, 'the first shutdown is still draining');
    const signalledAt = Date.now();
    monitor.child.kill('SIGTERM');
    const { code } = await monitor.exited;
    assert.equal(code, 130);
    assert.ok(Date.now() - signalledAt < 1000);
  } finally {
    socket.destroy();
    await monitor.stop();
  }
});

test('bad configuration: every problem on stderr at once, non-zero exit', async () => {
  const monitor = spawnNode('src/main.js', ['--port', 'http', '--max-concurrency', '0'], { POLL_INTERVAL_MS: 'soon' });
  const { code } = await monitor.exited;
  assert.equal(code, 2);
  const output = monitor.output();
  assert.match(output, /--port "http": must be an integer/);
  assert.match(output, /--max-concurrency "0": must be at least 1/);
  assert.match(output, /POLL_INTERVAL_MS "soon": must be an integer/);
});
