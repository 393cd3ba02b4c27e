// HEAD /events against the monitor as a process: it answers the stream's headers and connects no stream
// client, so a flood of HEADs leaves the hub empty and the memory where it was. /healthz shows the count.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { spawnMonitor } from '../helpers/processes.js';
import { connectSse } from '../helpers/sse-client.js';
import { waitFor } from '../helpers/wait.js';

const HEADS = 5000;
/** Before the first reading: the young generation grows to its working size on the first thousand requests. */
const WARM_UP = 1000;
const PARALLEL = 8;
const RSS_SLACK_MB = 30;

function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match?.[1], 'VmRSS in /proc/<pid>/status');
  return Number(match[1]) / 1024;
}

function send(
  url: string,
  method: string,
  agent?: Agent,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, ...(agent ? { agent } : {}) }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function streamClients(url: string): Promise<number> {
  const answer = await send(`${url}/healthz`, 'GET');
  assert.equal(answer.status, 200);
  const clients = (JSON.parse(answer.body) as { event_stream_clients?: unknown }).event_stream_clients;
  assert.equal(typeof clients, 'number', `/healthz shows event_stream_clients: ${answer.body}`);
  return clients as number;
}

test(
  `${HEADS} HEAD /events leave no stream client and no memory behind; a GET client counts while connected`,
  { timeout: 120_000 },
  async (t) => {
    const monitor = await spawnMonitor();
    t.after(() => monitor.stop());
    const pid = monitor.child.pid;
    assert.ok(pid !== undefined);
    const agent = new Agent({ keepAlive: true, maxSockets: PARALLEL });
    t.after(() => agent.destroy());

    const first = await send(`${monitor.url}/events`, 'HEAD', agent);
    assert.equal(first.status, 200);
    assert.equal(first.headers['content-type'], 'text/event-stream');
    assert.equal(await streamClients(monitor.url), 0);

    const heads = async (count: number): Promise<void> => {
      let sent = 0;
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          while (sent < count) {
            sent++;
            const answer = await send(`${monitor.url}/events`, 'HEAD', agent);
            assert.equal(answer.status, 200);
          }
        }),
      );
    };
    await heads(WARM_UP);
    const startMb = rssMb(pid);
    await heads(HEADS);
    const endMb = rssMb(pid);
    t.diagnostic(
      `RSS ${startMb.toFixed(1)} MB after ${WARM_UP} HEADs to warm up, ${endMb.toFixed(1)} MB after ${HEADS} more`,
    );
    assert.equal(await streamClients(monitor.url), 0, 'no stream client left by HEAD');
    assert.ok(endMb - startMb <= RSS_SLACK_MB, `RSS grew from ${startMb.toFixed(1)} to ${endMb.toFixed(1)} MB`);

    const client = await connectSse(`${monitor.url}/events`);
    assert.equal(client.status, 200);
    await client.waitFor(
      (messages) => messages.some((m) => m.comment && m.data === 'connected'),
      'the connected comment',
    );
    assert.equal(await streamClients(monitor.url), 1, 'a connected GET client counts');
    client.close();
    await waitFor(async () => (await streamClients(monitor.url)) === 0, 'the disconnected client to leave the hub');
  },
);
