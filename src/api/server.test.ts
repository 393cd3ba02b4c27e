// The server's limits against real sockets, with short timeouts so the test takes a second, not a minute.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { createApiServer, SERVER_LIMITS, type ServerLimits } from './server.js';

const SHORT: ServerLimits = {
  headersTimeoutMs: 300,
  requestTimeoutMs: 600,
  keepAliveTimeoutMs: 300,
  timeoutCheckIntervalMs: 50,
  maxHeaderBytes: 4096,
  maxHeadersCount: 100,
};

const servers: Server[] = [];
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(limits: ServerLimits): Promise<number> {
  // Reads the body, as POST /register does: a handler that answers first would end the request early.
  const server = createApiServer({
    fetch: async (request: Request) => new Response(`ok ${(await request.text()).length}`),
    limits,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface Conversation {
  /** Everything the server sent. */
  readonly received: () => string;
  /** Resolves when the server closes the connection, with the milliseconds since it opened. */
  readonly closed: Promise<number>;
  readonly socket: Socket;
}

function open(port: number): Promise<Conversation> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    let received = '';
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((done) => socket.on('close', () => done(performance.now() - startedAt)));
    socket.on('connect', () => resolve({ socket, received: () => received, closed }));
  });
}

/** Writes `text` one byte every `everyMs` until done or the connection closes; resolves with whether it finished. */
async function trickle(conversation: Conversation, text: string, everyMs: number): Promise<boolean> {
  for (const byte of text) {
    if (conversation.socket.destroyed || conversation.socket.writableEnded) return false;
    conversation.socket.write(byte);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return true;
}

test('the default limits are the documented ones, and createApiServer applies them', () => {
  const server = createApiServer({ fetch: () => new Response('ok') });
  assert.equal(server.headersTimeout, SERVER_LIMITS.headersTimeoutMs);
  assert.equal(server.requestTimeout, SERVER_LIMITS.requestTimeoutMs);
  assert.equal(server.keepAliveTimeout, SERVER_LIMITS.keepAliveTimeoutMs);
  // One line more than the limit is kept, so the server can see a request is over it.
  assert.equal(server.maxHeadersCount, SERVER_LIMITS.maxHeadersCount + 1);
  assert.deepEqual(SERVER_LIMITS, {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
    timeoutCheckIntervalMs: 1_000,
    maxHeaderBytes: 16_384,
    maxHeadersCount: 100,
  });
});

test('slowloris: a client sending its headers a byte at a time is answered 408 and cut off after headersTimeout', async () => {
  const port = await listen(SHORT);
  const client = await open(port);
  // 60 bytes at 50 ms each would take 3 s: ten times the headers timeout.
  const finished = await trickle(client, `GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(30)}\r\n\r\n`, 50);
  const closedAfterMs = await client.closed;
  assert.equal(finished, false, 'the client was cut off before it finished');
  assert.match(client.received(), /^HTTP\/1\.1 408 Request Timeout/);
  assert.ok(closedAfterMs >= SHORT.headersTimeoutMs, `closed after ${closedAfterMs} ms, not before the timeout`);
});

test('a body trickled a byte at a time is cut off after requestTimeout', async () => {
  const port = await listen(SHORT);
  const client = await open(port);
  client.socket.write(
    'POST /register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n',
  );
  const finished = await trickle(client, 'x'.repeat(60), 50);
  const closedAfterMs = await client.closed;
  assert.equal(finished, false);
  assert.match(client.received(), /^HTTP\/1\.1 408 Request Timeout/);
  assert.ok(closedAfterMs >= SHORT.requestTimeoutMs, `closed after ${closedAfterMs} ms`);
});

test('a prompt client is served on the same server, and its idle keep-alive connection is closed after keepAliveTimeout', async () => {
  const port = await listen(SHORT);
  const client = await open(port);
  const answeredAt = new Promise<number>((resolve) => {
    const startedAt = performance.now();
    client.socket.once('data', () => resolve(performance.now() - startedAt));
  });
  client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const answeredAfterMs = await answeredAt;
  const closedAfterMs = await client.closed;
  assert.match(client.received(), /^HTTP\/1\.1 200 OK/);
  assert.match(client.received(), /keep-alive/i, 'kept alive at first');
  assert.ok(
    closedAfterMs - answeredAfterMs >= SHORT.keepAliveTimeoutMs - 20,
    `idle for ${closedAfterMs - answeredAfterMs} ms`,
  );
});

test('headers larger than maxHeaderBytes are answered 431', async () => {
  const port = await listen(SHORT);
  const client = await open(port);
  client.socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(SHORT.maxHeaderBytes)}\r\n\r\n`);
  await client.closed;
  assert.match(client.received(), /^HTTP\/1\.1 431 Request Header Fields Too Large/);
});

test('more header lines than maxHeadersCount are answered 431 and the connection closed, whatever serves the requests', async () => {
  const limits: ServerLimits = { ...SHORT, maxHeadersCount: 20 };
  const port = await listen(limits);
  const lines = (count: number): string =>
    ['Host: x', ...Array.from({ length: count - 1 }, (_, i) => `X-${i}: v`)].join('\r\n');
  const atLimit = await open(port);
  atLimit.socket.write(`GET / HTTP/1.1\r\n${lines(19)}\r\nConnection: close\r\n\r\n`);
  await atLimit.closed;
  assert.match(atLimit.received(), /^HTTP\/1\.1 200 OK/);
  const over = await open(port);
  over.socket.write(`GET / HTTP/1.1\r\n${lines(21)}\r\n\r\n`);
  await over.closed;
  assert.match(over.received(), /^HTTP\/1\.1 431 Request Header Fields Too Large/);
  assert.match(over.received(), /"code":"too_many_headers"/);
});
