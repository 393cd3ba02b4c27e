// The reused /metrics body buffers: reuse when handed back, never while a response is still being sent.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { pino } from 'pino';
import { openStore, registration, TEST_DEFAULTS } from '../../tests/helpers/fixtures.js';
import { ANY_TARGET } from '../domain/index.js';
import { createApp } from './app.js';
import { BodyBuffers } from './body-buffers.js';
import { createApiServer } from './server.js';

test('a buffer handed back is reused for the next body of a similar size, and only then', () => {
  const bodies = new BodyBuffers();
  const first = bodies.take(1000);
  assert.equal(first.length, 1000);
  const kept = bodies.take(1000);
  assert.notEqual(kept.buffer, first.buffer, 'a buffer not yet handed back is not lent again');
  bodies.giveBack(first);
  const second = bodies.take(1050);
  assert.equal(second.buffer, first.buffer, 'the spare is reused for a slightly larger body, within its headroom');
  assert.equal(second.length, 1050);
  bodies.giveBack(second);
  assert.notEqual(bodies.take(400).buffer, first.buffer, 'a spare over twice the body is dropped, not kept for good');
  assert.notEqual(bodies.take(1000).buffer, first.buffer, '…and does not come back later');
});

test('memory the pool did not lend is not taken in: a slice of the shared pool would bring its neighbours', () => {
  const bodies = new BodyBuffers();
  const neighbour = Buffer.from('kept as it is');
  const foreign = Buffer.allocUnsafe(16) as Buffer<ArrayBuffer>;
  bodies.giveBack(foreign);
  const taken = bodies.take(16);
  assert.notEqual(taken.buffer, foreign.buffer);
  taken.fill(0x78);
  assert.equal(neighbour.toString(), 'kept as it is');
});

/** A GET over a raw socket that reads nothing until `resume`; resolves with the body once all of it came. */
function slowGet(port: number, path: string): { firstBytes: Promise<void>; resume: () => void; body: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let markFirst = (): void => undefined;
  const firstBytes = new Promise<void>((resolve) => (markFirst = resolve));
  const body = new Promise<string>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      if (chunks.length === 0) {
        socket.pause();
        markFirst();
      }
      chunks.push(chunk);
      const received = Buffer.concat(chunks);
      const headerEnd = received.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(received.subarray(0, headerEnd).toString());
      if (headerEnd < 0 || length === null) return;
      if (received.length >= headerEnd + 4 + Number(length[1])) {
        resolve(received.subarray(headerEnd + 4).toString());
        socket.destroy();
      }
    });
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  return { firstBytes, resume: () => socket.resume(), body };
}

test('a scrape made while a slow client still reads an earlier one leaves that earlier body intact', async () => {
  const store = await openStore();
  // ~16 MB of JSON: more than the kernel buffers on loopback hold for a client that reads nothing.
  const attributes = Object.fromEntries(Array.from({ length: 16 }, (_, index) => [`key${index}`, 'v'.repeat(1000)]));
  for (let index = 0; index < 1000; index++)
    await store.register(registration(`svc-${String(index).padStart(4, '0')}`, undefined, { attributes }));
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: null,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
  });
  const server: Server = createApiServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const slow = slowGet(port, '/metrics');
    await slow.firstBytes;
    // The registry changes, and another scrape is made and read in full while the first is held.
    await store.deregister('svc-0000');
    await store.register(registration('svc-9999', undefined, { attributes }));
    const meanwhile = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).json()) as { service: string }[];
    assert.equal(meanwhile.length, 1000);
    assert.equal(meanwhile[0]?.service, 'svc-0001');

    slow.resume();
    const held = JSON.parse(await slow.body) as { service: string; attributes: Record<string, string> }[];
    assert.equal(held.length, 1000);
    assert.deepEqual(
      [held[0]?.service, held.at(-1)?.service],
      ['svc-0000', 'svc-0999'],
      'the registry as it was when the first scrape was made',
    );
    assert.ok(held.every((entry) => entry.attributes['key15'] === 'v'.repeat(1000)));

    // Sequential scrapes, each handed back and reused, still answer the registry as it is.
    for (let round = 0; round < 3; round++) {
      await store.register(registration(`svc-a${round}`));
      const now = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).json()) as { service: string }[];
      assert.deepEqual(
        now.map((entry) => entry.service),
        store.list().map((record) => record.request.id),
      );
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  }
});
