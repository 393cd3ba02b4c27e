import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { test } from 'node:test';
import { refusedUrl } from './target.js';

test('refusedUrl: a refused port that no server started on port 0 can be given later in the test', async () => {
  const port = Number(new URL(await refusedUrl()).port);
  const [lowestEphemeral] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  assert.ok(lowestEphemeral !== undefined && port < lowestEphemeral, `port ${port} is in the ephemeral range`);
  const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), reject(new Error(`something listens on ${port}`))));
    socket.once('error', resolve);
  });
  assert.equal(error.code, 'ECONNREFUSED');
});
