// The HTTP prober as a probe thread builds it, against real targets: the URL it asks for, what it
// sends, what its own fetch hands it (the body through the probe call, the status and headers through
// the Response), and a target the policy refuses.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { targetPolicy } from '../../domain/index.js';
import { probeJob } from '../../../tests/helpers/probe-job.js';
import { json, startTarget, type Target } from '../../../tests/helpers/target.js';
import { runProbe } from '../run-probe.js';
import { createProbeTable } from '../probe-table.js';
import { createHttpProber, healthUrl } from './http-probe.js';

const targets: Target[] = [];
after(() => Promise.all(targets.map((t) => t.close())));

async function target(handler: Parameters<typeof startTarget>[0]): Promise<Target> {
  const started = await startTarget(handler);
  targets.push(started);
  return started;
}

const http = createHttpProber({ connectionsPerOrigin: 2, targetPolicy: targetPolicy(null) });

test('the health URL is the registered URL and the health path, the slash between them never doubled', () => {
  const cases: [string, string, string][] = [
    ['http://host:9001', '/health', 'http://host:9001/health'],
    ['http://host:9001/', '/health', 'http://host:9001/health'],
    ['http://host:9001//', '/health', 'http://host:9001/health'],
    ['http://host:9001/api', '/health', 'http://host:9001/api/health'],
    ['http://host:9001/api/', '/status?full=1', 'http://host:9001/api/status?full=1'],
    ['https://host', '/', 'https://host/'],
  ];
  for (const [url, path, expected] of cases) assert.equal(healthUrl(url, path), expected, `${url} + ${path}`);
});

test('a probe asks for {url}{health_path}', async () => {
  const paths: (string | undefined)[] = [];
  const server = await target((req, res) => {
    paths.push(req.url);
    json(res, { uptime_sec: 1 });
  });
  await http(probeJob({ url: `${server.url}/api/`, healthPath: '/status?full=1' }));
  await http(probeJob({ url: server.url }));
  assert.deepEqual(paths, ['/api/status?full=1', '/health']);
});

test("sends the probe's accept and user-agent, and reads the report from the body", async () => {
  let seen: Record<string, string | string[] | undefined> = {};
  const server = await target((req, res) => {
    seen = req.headers;
    json(res, { uptime_sec: 7, request_count: 10, error_count: 1, attributes: { version: '2.1' } });
  });
  const outcome = await http(probeJob({ url: server.url, timeoutMs: 2000 }));
  assert.deepEqual(outcome, {
    kind: 'answered',
    report: { uptimeSec: 7, requestCount: 10, errorCount: 1, attributes: { version: '2.1' } },
  });
  assert.equal(seen['accept'], 'application/json, text/plain;q=0.9, */*;q=0.1');
  assert.equal(seen['user-agent'], 'health-monitor');
});

test('a body over 1 MiB announced by content-length is refused unread, and one that streams past it is cut', async () => {
  const big = 1024 * 1024 + 1;
  let streamed = 0;
  const server = await target((req, res) => {
    if (req.url === '/announced')
      return void res
        .writeHead(200, { 'content-type': 'application/json', 'content-length': big })
        .end(Buffer.alloc(big, 32));
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 32);
    const pump = (): void => {
      while (streamed < 16 * big && !res.destroyed) {
        streamed += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  assert.deepEqual(await http(probeJob({ url: server.url, healthPath: '/announced', timeoutMs: 2000 })), {
    kind: 'invalid_body',
    error: 'body exceeds 1 MiB',
  });
  assert.deepEqual(await http(probeJob({ url: server.url, healthPath: '/streamed', timeoutMs: 2000 })), {
    kind: 'invalid_body',
    error: 'body exceeds 1 MiB',
  });
  assert.ok(streamed < 16 * big, `the target sent ${streamed} bytes`);
});

test('a status other than 200 is reported without reading its body', async () => {
  const server = await target((_req, res) => json(res, { error: 'down' }, 503));
  assert.deepEqual(await http(probeJob({ url: server.url, timeoutMs: 2000 })), { kind: 'http_status', status: 503 });
});

test('a refused probe is unreachable after one attempt, with the reason; it is not retried', async () => {
  const server = await target((_req, res) => json(res, { uptime_sec: 1, request_count: 1, error_count: 0 }));
  // The real system resolver: localhost is 127.0.0.1 on this machine.
  const probes = await createProbeTable({
    connectionsPerOrigin: 1,
    targetPolicy: targetPolicy(['localhost', '10.0.0.0/8']),
  });
  const job = probeJob({ url: `http://localhost:${server.port}`, timeoutMs: 2000, retries: 2 });
  const result = await runProbe(job, probes);
  assert.equal(result.attempts, 1);
  assert.deepEqual(result.outcome, {
    kind: 'unreachable',
    error: 'localhost resolved to 127.0.0.1, which is not in ALLOW_TARGETS',
  });
  assert.equal(server.connections, 0);

  const allowed = await createProbeTable({
    connectionsPerOrigin: 1,
    targetPolicy: targetPolicy(['localhost', '127.0.0.0/8']),
  });
  assert.equal((await runProbe(job, allowed)).outcome.kind, 'answered');
  assert.equal(server.connections, 1);
});
