// POST /register bodies as a real monitor process reads them: straight from the socket, with the size
// bound applied both by Content-Length and while reading a body sent without one (chunked).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { spawnMonitor, type Spawned } from '../helpers/processes.js';

let monitor: Spawned & { url: string };
before(async () => {
  monitor = await spawnMonitor();
});
after(async () => {
  await monitor.stop();
});

interface Answer {
  readonly status: number;
  readonly body: { readonly error?: { readonly code: string; readonly message: string }; readonly id?: string };
}

/**
 * Sends `chunks` one write each; without `contentLength` Node sends them chunked. A connection of its
 * own: a request that declares more bytes than it sends must not leave them owed on a shared socket.
 */
function post(chunks: readonly string[], contentLength?: number): Promise<Answer> {
  const { hostname, port } = new URL(monitor.url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (contentLength !== undefined) headers['content-length'] = contentLength;
    const req = request({ hostname, port, path: '/register', method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] });
        } catch {
          reject(
            new Error(`status ${res.statusCode}, not JSON: ${JSON.stringify(text)} ${JSON.stringify(res.headers)}`),
          );
        }
      });
    });
    // The monitor may answer 413 and stop reading before the whole body is written.
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const registration = (id: string): string =>
  JSON.stringify({ id, url: 'http://127.0.0.1:19999/', poll_interval_sec: 3600 });

test('a registration sent in several chunks without Content-Length is read whole', async () => {
  const body = registration('chunked');
  const answer = await post([body.slice(0, 10), body.slice(10, 30), body.slice(30)]);
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  assert.equal(answer.body.id, 'chunked');
});

test('a Content-Length over 64 KiB is refused with 413 before the body is read', async () => {
  const answer = await post(['{}'], 70_000).catch((error: unknown) => {
    throw new Error(`expected a 413 answer, got ${String(error)}`);
  });
  assert.equal(answer.status, 413);
  assert.equal(answer.body.error?.code, 'payload_too_large');
});

test('a chunked body that grows past 64 KiB is refused with 413, and nothing is stored', async () => {
  const padding = 'x'.repeat(8 * 1024);
  const chunks = [
    `{"id":"too-big","url":"http://127.0.0.1:19999/","attributes":{"pad":"`,
    ...Array.from({ length: 9 }, () => padding),
    '"}}',
  ];
  const answer = await post(chunks);
  assert.equal(answer.status, 413);
  assert.match(answer.body.error?.message ?? '', /at most 65536 bytes/);
  const lookup = await fetch(`${monitor.url}/services/too-big`);
  assert.equal(lookup.status, 404);
});

test('invalid JSON read from the socket is a 400 naming the problem', async () => {
  const answer = await post(['{"id": "x",']);
  assert.equal(answer.status, 400);
  assert.equal(answer.body.error?.code, 'invalid_json');
});
