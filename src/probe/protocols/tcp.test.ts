import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { targetPolicy } from '../../domain/index.js';
import { probeJob } from '../../../tests/helpers/probe-job.js';
import { createProbeTable } from '../probe-table.js';
import { runProbe } from '../run-probe.js';
import { tcpProtocol } from './tcp.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
after(() => {
  for (const socket of sockets) socket.destroy();
  for (const server of servers) server.close();
});

/** A port that accepts connections and never writes a byte. */
async function listening(): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.push(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, accepted: () => accepted };
}

test('a tcp URL names a host and a port, and nothing else', () => {
  const check = (text: string): string | null => tcpProtocol.checkUrl(new URL(text), text);
  assert.equal(check('tcp://db.internal:5432'), null);
  assert.equal(check('tcp://10.0.0.7:6379/'), null);
  assert.equal(check('tcp://[::1]:4222'), null);
  assert.match(check('tcp://db.internal') ?? '', /must name a port/);
  assert.match(check('tcp://db.internal:5432/x') ?? '', /must not have a path/);
  assert.match(check('tcp://db.internal:5432?x') ?? '', /query or fragment/);
  assert.match(check('tcp://db.internal:0') ?? '', /port 0 cannot be connected to/);
  assert.match(check('tcp://d%20b:5432') ?? '', /DNS name or an IP address/);
});

test('connected is healthy, even when the port never says anything; refused is dead', async () => {
  const probes = await createProbeTable({ connectionsPerOrigin: 1, targetPolicy: targetPolicy(null) });
  const open = await listening();
  const up = await runProbe(probeJob({ url: `tcp://127.0.0.1:${open.port}`, timeoutMs: 1000, retries: 0 }), probes);
  assert.equal(up.outcome.kind, 'answered');
  assert.equal(open.accepted(), 1);

  const closed = await listening();
  servers.at(-1)?.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const down = await runProbe(probeJob({ url: `tcp://127.0.0.1:${closed.port}`, timeoutMs: 1000, retries: 1 }), probes);
  assert.deepEqual(down.outcome, { kind: 'unreachable', error: 'connection refused (ECONNREFUSED)' });
  assert.equal(down.attempts, 2, 'a refused connection is retried like any network failure');
});

test('ALLOW_TARGETS holds for tcp too: a refused host is never connected to, and not retried', async () => {
  const open = await listening();
  const probes = await createProbeTable({ connectionsPerOrigin: 1, targetPolicy: targetPolicy(['10.0.0.0/8']) });
  const refused = await runProbe(
    probeJob({ url: `tcp://127.0.0.1:${open.port}`, timeoutMs: 1000, retries: 2 }),
    probes,
  );
  assert.equal(refused.outcome.kind, 'unreachable');
  assert.equal(refused.attempts, 1);
  assert.match(refused.outcome.kind === 'unreachable' ? refused.outcome.error : '', /not in ALLOW_TARGETS/);
  assert.equal(open.accepted(), 0);
});
