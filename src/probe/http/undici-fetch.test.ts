// The probe's own fetch, against real servers: a Response with the status and headers a server sent,
// the body handed to the probe call, and the call's deadline over headers and body.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import ky, { type Options } from 'ky';
import { Agent } from 'undici';
import { json, refusedUrl, startTarget, type Target } from '../../../tests/helpers/target.js';
import { sleep, waitFor } from '../../../tests/helpers/wait.js';
import { describeFetchError } from './describe-error.js';
import { PROBE_CALL_OPTION, ProbeCall, type ProbeCallOption } from './probe-call.js';
import { readLimited } from './read-limited.js';
import { createUndiciFetch } from './undici-fetch.js';

const agent = new Agent({ connections: 2, pipelining: 1 });
const fetchWith = createUndiciFetch(agent);
const targets: Target[] = [];
const calls: ProbeCall[] = [];

async function target(handler: Parameters<typeof startTarget>[0]): Promise<Target> {
  const started = await startTarget(handler);
  targets.push(started);
  return started;
}

/** A probe call that the end of the file ends, so no timer outlives the tests. */
function probeCall(timeoutMs = 5000): ProbeCall {
  const call = new ProbeCall(timeoutMs);
  calls.push(call);
  return call;
}

after(async () => {
  calls.forEach((call) => call.end());
  await agent.close();
  await Promise.all(targets.map((t) => t.close()));
});

function init(call: ProbeCall, request: RequestInit = {}): RequestInit {
  const withCall: RequestInit & ProbeCallOption = { redirect: 'manual', ...request, [PROBE_CALL_OPTION]: call };
  return withCall;
}

/** As ky passes it: the call and nothing a Request knows (so `redirect` is the fetch's default, 'follow'). */
function callOnly(call: ProbeCall): RequestInit {
  const only: RequestInit & ProbeCallOption = { [PROBE_CALL_OPTION]: call };
  return only;
}

async function bodyText(call: ProbeCall): Promise<string> {
  return Buffer.from(await readLimited(call.takeBody(), 1024 * 1024, call)).toString();
}

test('answers with the status and headers sent, hands the body to the call, and sends the request headers', async () => {
  let seenAccept: string | undefined;
  const server = await target((req, res) => {
    seenAccept = req.headers.accept;
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    json(res, { ok: true }, 201);
  });
  const call = probeCall();
  const response = await fetchWith(`${server.url}/health`, init(call, { headers: { accept: 'application/json' } }));
  assert.ok(response instanceof Response);
  assert.equal(response.status, 201);
  assert.equal(response.ok, true);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
  // The body is the call's, not the Response's.
  assert.equal(response.body, null);
  assert.equal(await bodyText(call), '{"ok":true}');
  assert.equal(seenAccept, 'application/json');
});

test('without a probe call it refuses clearly, before sending anything', async () => {
  const server = await target((_req, res) => json(res, {}));
  await assert.rejects(
    fetchWith(server.url, { redirect: 'manual' }),
    /serves the HTTP probe only; pass a ProbeCall as the `probeCall` option/,
  );
  assert.equal(server.requests.length, 0);
});

test('a redirect is returned, not followed; other redirect modes are refused clearly', async () => {
  const server = await target((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
  const call = probeCall();
  const response = await fetchWith(server.url, init(call));
  call.end();
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('location'), '/elsewhere');
  assert.equal(server.requests.length, 1);
  await assert.rejects(
    fetchWith(server.url, callOnly(probeCall())),
    /redirects are never followed; pass redirect: 'manual' or 'error'/,
  );
  await assert.rejects(
    fetchWith(server.url, init(probeCall(), { redirect: 'error' })),
    /redirect \(HTTP 302\) with redirect: 'error'/,
  );
});

test('a status the Response constructor refuses (600, 999) is still reported as sent, and not ok', async () => {
  const server = await target((req, res) => res.writeHead(Number(req.url?.slice(1))).end('x'));
  for (const status of [600, 999]) {
    const call = probeCall();
    const response = await fetchWith(`${server.url}/${status}`, init(call));
    assert.equal(response.status, status);
    assert.equal(response.ok, false);
    assert.equal(await bodyText(call), 'x');
  }
});

test('204 and 304 hand over no body and keep the connection for the next request', async () => {
  const sockets = new Set<unknown>();
  const server = await target((req, res) => {
    sockets.add(req.socket);
    res.writeHead(req.url === '/304' ? 304 : 204).end();
  });
  const paths = ['/204', '/304', '/204', '/304', '/204'];
  for (const path of paths) {
    const call = probeCall();
    const response = await fetchWith(`${server.url}${path}`, init(call));
    assert.equal(response.status, Number(path.slice(1)));
    assert.equal(call.takeBody(), null);
  }
  // A connection cut after each answer would need one socket per request.
  assert.ok(sockets.size < paths.length, `${sockets.size} sockets for ${paths.length} requests`);
});

test('ending the call with its body unread cuts the connection instead of draining it', async () => {
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
  const call = probeCall();
  await fetchWith(server.url, init(call));
  call.end();
  await waitFor(() => closed, 'the server to see the connection closed');
  assert.ok(bytesSent < 64 * 1024 * 1024, `the server sent ${bytesSent} bytes`);
});

test("the call's deadline cuts the wait for headers, and the body, with a TimeoutError", async () => {
  const silent = await target(() => undefined);
  const headersOnly = await target((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/plain' }).write('partial'),
  );
  const started = Date.now();
  await assert.rejects(fetchWith(silent.url, init(probeCall(200))), {
    name: 'TimeoutError',
    message: 'The operation timed out after 200 ms',
  });
  assert.ok(Date.now() - started >= 190, `ended after ${Date.now() - started} ms`);
  assert.equal(silent.requests.length, 1);

  // The body alone, as undici ends it: no reader listens to the call here.
  const call = probeCall(200);
  await fetchWith(headersOnly.url, init(call));
  const body = call.takeBody();
  assert.ok(body);
  const ended = new Promise<unknown>((resolve) =>
    body
      .on('error', resolve)
      .on('end', () => resolve('the body ended'))
      .resume(),
  );
  assert.equal((await ended) instanceof Error && ((await ended) as Error).name, 'TimeoutError');
});

test('an expired call, or an aborted request signal, is honoured before anything is sent', async () => {
  const server = await target((_req, res) => json(res, {}));
  const expired = probeCall(1);
  await sleep(20);
  await assert.rejects(fetchWith(server.url, init(expired)), { name: 'TimeoutError' });
  const aborted = new Request(server.url, {
    redirect: 'manual',
    signal: AbortSignal.abort(new DOMException('no', 'AbortError')),
  });
  await assert.rejects(fetchWith(aborted, callOnly(probeCall())), { name: 'AbortError', message: 'no' });
  assert.equal(server.requests.length, 0);
});

test('a refused connection fails with the code the probe reports', async () => {
  const error = await fetchWith(await refusedUrl(), init(probeCall())).catch((caught: unknown) => caught);
  assert.equal(describeFetchError(error, 1000), 'connection refused (ECONNREFUSED)');
});

test('requests with a body are refused clearly', async () => {
  await assert.rejects(
    fetchWith('http://127.0.0.1:1/', init(probeCall(), { method: 'POST', body: 'x' })),
    /requests with a body are not supported/,
  );
});

test("the Agent's connections cap holds: 6 requests at once use 2 sockets", async () => {
  const sockets = new Set<unknown>();
  const server = await target((req, res) => {
    sockets.add(req.socket);
    setTimeout(() => json(res, {}), 20);
  });
  const called = Array.from({ length: 6 }, () => probeCall());
  await Promise.all(called.map((call) => fetchWith(server.url, init(call))));
  await Promise.all(called.map((call) => bodyText(call)));
  assert.equal(server.maxInFlight, 2);
  assert.equal(sockets.size, 2);
});

test('default headers are sent unless the request sets its own', async () => {
  const seen: Record<string, string | string[] | undefined>[] = [];
  const server = await target((req, res) => {
    seen.push(req.headers);
    json(res, {});
  });
  const withDefaults = createUndiciFetch(agent, {
    defaultHeaders: { accept: 'application/json', 'user-agent': 'probe' },
  });
  const requestHeaders: Record<string, string>[] = [{}, { 'User-Agent': 'own' }];
  for (const headers of requestHeaders) {
    const call = probeCall();
    await withDefaults(server.url, init(call, { headers }));
    await bodyText(call);
  }
  assert.deepEqual(
    seen.map((headers) => [headers['accept'], headers['user-agent']]),
    [
      ['application/json', 'probe'],
      ['application/json', 'own'],
    ],
  );
});

test('ky sends its requests through it, and passes the call on', async () => {
  const server = await target((_req, res) => json(res, { via: 'ky' }));
  const client = ky.create({
    fetch: fetchWith,
    redirect: 'manual',
    retry: 0,
    timeout: false,
    headers: { 'user-agent': 'health-monitor' },
  });
  const call = probeCall();
  const options: Options & ProbeCallOption = { [PROBE_CALL_OPTION]: call };
  const response = await client.get(server.url, options);
  assert.equal(response.status, 200);
  assert.equal(await bodyText(call), '{"via":"ky"}');
});
