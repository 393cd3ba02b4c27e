// Every row of the classification table, reached by real probes against real HTTP targets.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness, type Harness } from '../helpers/harness.js';
import { json, refusedUrl, startTarget, type Target } from '../helpers/target.js';

let harness: Harness;
const targets: Target[] = [];

async function target(handler: Parameters<typeof startTarget>[0]): Promise<Target> {
  const started = await startTarget(handler);
  targets.push(started);
  return started;
}

before(async () => {
  harness = await startHarness({ defaults: { pollIntervalMs: 60_000, probeTimeoutMs: 300, probeRetries: 1 } });
});

after(async () => {
  await harness.stop();
  await Promise.all(targets.map((t) => t.close()));
});

const rows: {
  name: string;
  handler: Parameters<typeof startTarget>[0];
  health: string;
  ready: boolean;
  lastError: RegExp | null;
}[] = [
  {
    name: 'healthy: 200 with a low error rate',
    handler: (_req, res) =>
      json(res, { uptime_sec: 50, request_count: 100, error_count: 5, attributes: { version: '1.2' } }),
    health: 'healthy',
    ready: true,
    lastError: null,
  },
  {
    name: 'healthy: 200 with a plain-text body',
    handler: (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('OK'),
    health: 'healthy',
    ready: true,
    lastError: null,
  },
  {
    name: 'degraded: 200 with a high error rate',
    handler: (_req, res) => json(res, { uptime_sec: 50, request_count: 100, error_count: 50 }),
    health: 'degraded',
    ready: true,
    lastError: null,
  },
  {
    name: 'unhealthy: HTTP 500',
    handler: (_req, res) => json(res, { error: 'boom' }, 500),
    health: 'unhealthy',
    ready: false,
    lastError: /^HTTP 500$/,
  },
  {
    name: 'unhealthy: a redirect is not followed',
    handler: (_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end(),
    health: 'unhealthy',
    ready: false,
    lastError: /^HTTP 302$/,
  },
  {
    name: 'unhealthy but ready: malformed JSON',
    handler: (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"uptime_sec": 5,'),
    health: 'unhealthy',
    ready: true,
    lastError: /not valid JSON/,
  },
  {
    name: 'unhealthy but ready: error_count > request_count',
    handler: (_req, res) => json(res, { uptime_sec: 5, request_count: 10, error_count: 11 }),
    health: 'unhealthy',
    ready: true,
    lastError: /error_count is greater than request_count/,
  },
  {
    name: 'dead: hangs past the timeout',
    handler: () => undefined,
    health: 'dead',
    ready: false,
    lastError: /timeout after 300 ms/,
  },
];

for (const row of rows) {
  test(row.name, async () => {
    const server = await target(row.handler);
    const id = row.name.replace(/[^A-Za-z0-9]+/g, '-');
    await harness.register(id, server.url);
    const record = await harness.waitForService(id, () => true, 'first probe');
    assert.equal(record.state.health, row.health);
    assert.equal(record.state.ready, row.ready);
    if (row.lastError === null) assert.equal(record.state.lastError, null);
    else assert.match(record.state.lastError ?? '', row.lastError);
    assert.equal(server.requests[0]?.path, '/health');
  });
}

test('dead: connection refused, retried once', async () => {
  await harness.register('refused', await refusedUrl());
  const record = await harness.waitForService('refused', () => true, 'first probe');
  assert.equal(record.state.health, 'dead');
  assert.match(record.state.lastError ?? '', /connection refused \(ECONNREFUSED\)/);
});

test('a body over 1 MiB is cut off and reported in last_error', async () => {
  let bytesSent = 0;
  const server = await target((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    // Write up to 8 MiB unless the monitor hangs up first.
    const pump = (): void => {
      while (bytesSent < 8 * 1024 * 1024 && !res.destroyed) {
        bytesSent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  await harness.register('flood', server.url);
  const record = await harness.waitForService('flood', () => true, 'first probe');
  assert.equal(record.state.health, 'unhealthy');
  assert.equal(record.state.lastError, 'body exceeds 1 MiB');
  assert.ok(bytesSent < 8 * 1024 * 1024, `the monitor read on to ${bytesSent} bytes`);
});

test('health_path and registration attributes merge with /health attributes, /health winning', async () => {
  const server = await target((req, res) =>
    req.url === '/status/ready' ? json(res, { attributes: { env: 'from-health', version: '2' } }) : json(res, {}, 404),
  );
  await harness.register('paths', `${server.url}/`, {
    healthPath: '/status/ready',
    attributes: { env: 'prod', team: 'core' },
  });
  const record = await harness.waitForService('paths', () => true, 'first probe');
  assert.equal(record.state.health, 'healthy');
  assert.deepEqual(
    { ...record.request.attributes, ...record.state.healthAttributes },
    { env: 'from-health', team: 'core', version: '2' },
  );
});
