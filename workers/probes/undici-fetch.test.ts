// The undici-based fetch behaves like WHATWG fetch wherever the probe relies on it, against real servers.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import ky from 'ky';
import { Agent } from 'undici';
import { json, refusedUrl, startTarget, type Target } from '../../tests/helpers/target.js';
import { waitFor } from '../../tests/helpers/wait.js';
import { describeFetchError } from './describe-error.js';
import { createUndiciFetch } from './undici-fetch.js';

const agent = new Agent({ connections: 2, pipelining: 1 });
const fetchWith = createUndiciFetch(agent);
const targets: Target[] = [];

async function target(handler: Parameters<typeof startTarget>[0]): Promise<Target> {
  const started = await startTarget(handler);
  targets.push(started);
  return started;
}

after(async () => {
  await agent.close();
  await Promise.all(targets.map((t) => t.close()));
});

const manual = (init: RequestInit = {}): RequestInit => ({ redirect: 'manual', ...init });

test('answers with a real Response: status, headers, a streamed body; request headers are sent', async () => {
  let seenAccept: string | undefined;
  const server = await target((req, res) => {
    seenAccept = req.headers.accept;
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    json(res, { ok: true }, 201);
  });
  const response = await fetchWith(`${server.url}/health`, manual({ headers: { accept: 'application/json' } }));
  assert.ok(response instanceof Response);
  assert.equal(response.status, 201);
  assert.equal(response.ok, true);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
  assert.deepEqual(await response.json(), { ok: true });
  assert.equal(seenAccept, 'application/json');
});

test('a redirect is returned, not followed; other redirect modes are refused clearly', async () => {
  const server = await target((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
  const response = await fetchWith(server.url, manual());
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('location'), '/elsewhere');
  await response.body?.cancel();
  assert.equal(server.requests.length, 1);
  await assert.rejects(fetchWith(server.url), /redirects are never followed; pass redirect: 'manual' or 'error'/);
  await assert.rejects(fetchWith(server.url, { redirect: 'error' }), /redirect \(HTTP 302\) with redirect: 'error'/);
});

test('a status the Response constructor refuses (600, 999) is still reported as sent, and not ok', async () => {
  const server = await target((req, res) => res.writeHead(Number(req.url?.slice(1))).end('x'));
  for (const status of [600, 999]) {
    const response = await fetchWith(`${server.url}/${status}`, manual());
    assert.equal(response.status, status);
    assert.equal(response.ok, false);
    assert.equal(await response.text(), 'x');
  }
});

test('204 and 304 have a null body and keep the connection for the next request', async () => {
  const sockets = new Set<unknown>();
  const server = await target((req, res) => {
    sockets.add(req.socket);
    res.writeHead(req.url === '/304' ? 304 : 204).end();
  });
  const paths = ['/204', '/304', '/204', '/304', '/204'];
  for (const path of paths) {
    const response = await fetchWith(`${server.url}${path}`, manual());
    assert.equal(response.body, null);
  }
  // A connection cut after each answer would need one socket per request.
  assert.ok(sockets.size < paths.length, `${sockets.size} sockets for ${paths.length} requests`);
});

test('cancelling the body cuts the connection instead of draining it', async () => {
  let bytesSent = 0;
  let closed = false;
  const server = await target((_req, res) => {
    res.on('close', () => (closed = true));
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024);
    const pump = (): void => {
      while (bytesSent < 64 * 1024 * 1024 && !res.destroyed) {
        bytesSent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const response = await fetchWith(server.url, manual());
  const reader = response.body?.getReader();
  assert.ok(reader);
  await reader.read();
  await reader.cancel();
  await waitFor(() => closed, 'the server to see the connection closed');
  assert.ok(bytesSent < 64 * 1024 * 1024, `the server sent ${bytesSent} bytes`);
});

test('the signal cuts the wait for headers, and the reading of the body, with its reason', async () => {
  const silent = await target(() => undefined);
  const headersOnly = await target((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).write('partial'));
  const controller = new AbortController();
  const pending = fetchWith(silent.url, manual({ signal: controller.signal }));
  await waitFor(() => silent.requests.length === 1, 'the request to arrive');
  controller.abort(new DOMException('gave up', 'TimeoutError'));
  await assert.rejects(pending, { name: 'TimeoutError', message: 'gave up' });

  const bodyController = new AbortController();
  const response = await fetchWith(headersOnly.url, manual({ signal: bodyController.signal }));
  const reader = response.body?.getReader();
  assert.ok(reader);
  await reader.read();
  bodyController.abort(new DOMException('too slow', 'TimeoutError'));
  await assert.rejects(reader.read(), { name: 'TimeoutError', message: 'too slow' });
});

test('an aborted signal is honoured before anything is sent', async () => {
  const server = await target((_req, res) => json(res, {}));
  await assert.rejects(fetchWith(server.url, manual({ signal: AbortSignal.abort(new DOMException('no', 'TimeoutError')) })), {
    name: 'TimeoutError',
  });
  assert.equal(server.requests.length, 0);
});

test('a refused connection fails with the code the probe reports', async () => {
  const error = await fetchWith(await refusedUrl(), manual()).catch((caught: unknown) => caught);
  assert.equal(describeFetchError(error, 1000), 'connection refused (ECONNREFUSED)');
});

test('requests with a body are refused clearly', async () => {
  await assert.rejects(fetchWith('http://127.0.0.1:1/', manual({ method: 'POST', body: 'x' })), /requests with a body are not supported/);
});

test("the Agent's connections cap holds: 6 requests at once use 2 sockets", async () => {
  const sockets = new Set<unknown>();
  const server = await target((req, res) => {
    sockets.add(req.socket);
    setTimeout(() => json(res, {}), 20);
  });
  const responses = await Promise.all(Array.from({ length: 6 }, () => fetchWith(server.url, manual())));
  await Promise.all(responses.map((response) => response.text()));
  assert.equal(server.maxInFlight, 2);
  assert.equal(sockets.size, 2);
});

test('ky sends its requests through it', async () => {
  const server = await target((_req, res) => json(res, { via: 'ky' }));
  const client = ky.create({ fetch: fetchWith, redirect: 'manual', retry: 0, headers: { 'user-agent': 'health-monitor' } });
  assert.deepEqual(await client.get(server.url).json(), { via: 'ky' });
});
