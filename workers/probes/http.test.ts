// The HTTP probe as the probe table builds it, against real targets: what it asks for, and what its
// own fetch hands it (the body through the probe call, the status and headers through the Response).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { targetPolicy } from '../../src/domain/index.js';
import { json, startTarget, type Target } from '../../tests/helpers/target.js';
import { createProbeTable } from './index.js';

const targets: Target[] = [];
after(() => Promise.all(targets.map((t) => t.close())));

async function target(handler: Parameters<typeof startTarget>[0]): Promise<Target> {
  const started = await startTarget(handler);
  targets.push(started);
  return started;
}

const http = createProbeTable({ connectionsPerOrigin: 2, targetPolicy: targetPolicy(null) })['http:'];

test("sends the probe's accept and user-agent, and reads the report from the body", async () => {
  let seen: Record<string, string | string[] | undefined> = {};
  const server = await target((req, res) => {
    seen = req.headers;
    json(res, { uptime_sec: 7, request_count: 10, error_count: 1, attributes: { version: '2.1' } });
  });
  assert.ok(http);
  const outcome = await http(`${server.url}/health`, 2000);
  assert.deepEqual(outcome, { kind: 'answered', report: { uptimeSec: 7, requestCount: 10, errorCount: 1, attributes: { version: '2.1' } } });
  assert.equal(seen['accept'], 'application/json, text/plain;q=0.9, */*;q=0.1');
  assert.equal(seen['user-agent'], 'health-monitor');
});

test('a body over 1 MiB announced by content-length is refused unread, and one that streams past it is cut', async () => {
  const big = 1024 * 1024 + 1;
  let streamed = 0;
  const server = await target((req, res) => {
    if (req.url === '/announced') return void res.writeHead(200, { 'content-type': 'application/json', 'content-length': big }).end(Buffer.alloc(big, 32));
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
  assert.ok(http);
  assert.deepEqual(await http(`${server.url}/announced`, 2000), { kind: 'invalid_body', error: 'body exceeds 1 MiB' });
  assert.deepEqual(await http(`${server.url}/streamed`, 2000), { kind: 'invalid_body', error: 'body exceeds 1 MiB' });
  assert.ok(streamed < 16 * big, `the target sent ${streamed} bytes`);
});

test('a status other than 200 is reported without reading its body', async () => {
  const server = await target((_req, res) => json(res, { error: 'down' }, 503));
  assert.ok(http);
  assert.deepEqual(await http(server.url, 2000), { kind: 'http_status', status: 503 });
});
