// A target that declares a Content-Length over the 1 MiB cap and then sends nothing is refused on the
// header, at once: waiting for the body would only end at the probe's timeout. One that declares
// exactly 1 MiB is within the cap, so the probe waits for its body (here until the timeout).
// The targets are raw HTTP over node:net, so the declared length is exactly what the test wrote.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { MAX_BODY_BYTES, targetPolicy } from '../../src/domain/index.js';
import { createHttpProber } from '../../src/probe/http/http-probe.js';
import { probeJob } from '../helpers/probe-job.js';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';
import { waitFor } from '../helpers/wait.js';

const servers: RawServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

/** A connection that carried a request (undici may open spare ones that carry none). */
interface Answered {
  closedAt: number | null;
}

/**
 * Answers each request with a 200 whose headers declare `declaredLength` bytes, then sends no body and
 * keeps the socket open.
 */
async function declaringTarget(declaredLength: number): Promise<{ url: string; answered: Answered[] }> {
  const answered: Answered[] = [];
  const server = await startRawServer(
    createServer((socket: Socket) => {
      let request = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        request += chunk;
        if (!request.includes('\r\n\r\n')) return;
        request = '';
        const connection: Answered = { closedAt: null };
        answered.push(connection);
        socket.once('close', () => (connection.closedAt = Date.now()));
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${declaredLength}\r\n\r\n`);
      });
    }),
    'http',
  );
  servers.push(server);
  return { url: server.url, answered };
}

const http = createHttpProber({ connectionsPerOrigin: 2, targetPolicy: targetPolicy(null) });

/** One attempt of the HTTP probe (GET {url}/health) as a probe thread runs it, and how long it took. */
async function probe(url: string, timeoutMs: number) {
  const startedAt = performance.now();
  const outcome = await http(probeJob({ url, timeoutMs }));
  return { outcome, durationMs: performance.now() - startedAt };
}

test('a declared length one byte over 1 MiB, with no body sent, is refused from the header, long before the timeout', async () => {
  const target = await declaringTarget(MAX_BODY_BYTES + 1);
  const { outcome, durationMs } = await probe(target.url, 5000);
  assert.deepEqual(outcome, { kind: 'invalid_body', error: 'body exceeds 1 MiB' });
  // A bound, not a speed: the timeout is 5 s, and waiting for the body would take all of it.
  assert.ok(durationMs < 1000, `the probe took ${Math.round(durationMs)} ms of its 5000 ms timeout`);
  // Nothing of the body is read: its connection is dropped, not kept waiting for 1 MiB that will not come.
  assert.equal(target.answered.length, 1);
  await waitFor(
    () => target.answered.every((connection) => connection.closedAt !== null),
    'the probe to close the connection',
    1000,
  );
});

test('a declared length of exactly 1 MiB, with no body sent, is not refused as too large: the probe waits for the body', async () => {
  const target = await declaringTarget(MAX_BODY_BYTES);
  const timeoutMs = 300;
  const { outcome, durationMs } = await probe(target.url, timeoutMs);
  // A network-level failure the runner retries, not an answer: the body never came.
  assert.deepEqual(outcome, { kind: 'failed', error: `timeout after ${timeoutMs} ms`, final: false });
  assert.ok(
    durationMs >= timeoutMs - 20,
    `the probe gave up after ${Math.round(durationMs)} ms, before its ${timeoutMs} ms timeout`,
  );
});
