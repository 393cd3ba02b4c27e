// http, grpc and tcp services in one monitor: each healthy one is probed on its own interval, and the
// probes in flight across all three never exceed MAX_CONCURRENCY, while hanging HTTP and gRPC targets
// and 50 tcp services on a host that never answers SYNs ask for far more. For tcp: a port that accepts
// and never speaks is healthy (connect only), a closed one dead, a black-holed one dead at its timeout.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { startBlackHole } from '../helpers/black-hole.js';
import { startGrpcCheckServer } from '../helpers/grpc-target.js';
import { metrics, register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { json, refusedUrl, startTarget } from '../helpers/target.js';
import { sleep, waitFor } from '../helpers/wait.js';

const MAX_CONCURRENCY = 6;
const HANGING = { http: 6, grpc: 6, tcp: 50 };
const HANG_TIMEOUT_MS = 600;
/** The healthy services' intervals, different per protocol. */
const INTERVAL_SEC = { http: 1, grpc: 2, tcp: 3 };
const WINDOW_MS = 6000;
const SAMPLE_EVERY_MS = 25;

/**
 * The monitor's connections still waiting for a SYN-ACK from `port` (Linux: state 02 in /proc/net/tcp,
 * matched to the process by socket inode; the black hole's own filler connections are not its).
 */
function synSentTo(port: number, pid: number): number {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? ''];
      } catch {
        return []; // closed since the listing
      }
    }),
  );
  const wanted = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[2]?.endsWith(wanted) === true && fields[3] === '02' && inodes.has(fields[9] ?? '');
    }).length;
}

test('mixed http, grpc and tcp: each on its own interval, and the in-flight cap holds across them', async (t) => {
  // Healthy targets that record when each probe came.
  const httpArrivals: number[] = [];
  const http = await startTarget((request, response) => {
    if (request.url?.startsWith('/hang')) return;
    httpArrivals.push(Date.now());
    json(response, { uptime_sec: 1, request_count: 1, error_count: 0 });
  });
  t.after(() => http.close());
  const grpcArrivals: number[] = [];
  const grpc = await startGrpcCheckServer((_call, callback) => {
    grpcArrivals.push(Date.now());
    callback(null, { status: 'SERVING' });
  });
  t.after(() => grpc.close());
  const tcpArrivals: number[] = [];
  const sockets: Socket[] = [];
  const tcp = createServer((socket) => {
    tcpArrivals.push(Date.now());
    sockets.push(socket.on('error', () => undefined));
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    tcp.close();
  });

  // Targets that hold a probe's slot until its deadline, each counting the probes it holds.
  let httpHeld = 0;
  const httpHang = await startTarget((_request, response) => {
    httpHeld++;
    response.on('close', () => httpHeld--);
  });
  t.after(() => httpHang.close());
  let grpcHeld = 0;
  const grpcHang = await startGrpcCheckServer((call: ServerUnaryCall<object, object>) => {
    grpcHeld++;
    call.on('cancelled', () => grpcHeld--);
  });
  t.after(() => grpcHang.close());
  const hole = await startBlackHole();
  t.after(() => hole.close());
  const holePort = Number(new URL(hole.url).port);

  const monitor = await spawnMonitor(['--max-concurrency', String(MAX_CONCURRENCY), '--probe-retries', '0']);
  t.after(() => monitor.stop());
  const pid = monitor.child.pid ?? assert.fail('the monitor has no pid');
  const services = [
    { id: 'http-ok', url: http.url, poll_interval_sec: INTERVAL_SEC.http },
    { id: 'grpc-ok', url: grpc.url, poll_interval_sec: INTERVAL_SEC.grpc },
    {
      id: 'tcp-ok',
      url: `tcp://127.0.0.1:${(tcp.address() as AddressInfo).port}`,
      poll_interval_sec: INTERVAL_SEC.tcp,
    },
    { id: 'tcp-closed', url: (await refusedUrl()).replace(/^http:/, 'tcp:'), poll_interval_sec: 1 },
    ...Array.from({ length: HANGING.http }, (_, i) => ({
      id: `http-hang-${i}`,
      url: httpHang.url,
      health_path: `/hang/${i}`,
    })),
    ...Array.from({ length: HANGING.grpc }, (_, i) => ({ id: `grpc-hang-${i}`, url: grpcHang.url })),
    ...Array.from({ length: HANGING.tcp }, (_, i) => ({ id: `tcp-hang-${i}`, url: `tcp://127.0.0.1:${holePort}` })),
  ].map((service) =>
    service.id.includes('-hang-') ? { ...service, poll_interval_sec: 1, timeout_ms: HANG_TIMEOUT_MS } : service,
  );
  for (const service of services) {
    const answer = await register(monitor.url, service);
    assert.equal(answer.status, 201, await answer.text());
  }

  // Until every hanging service has been tried once, none is known to be slow (the tcp test says why).
  await waitFor(
    async () => (await metrics(monitor.url)).filter((entry) => entry.health === 'dead').length === services.length - 3,
    'every hanging service and the closed port tried and dead',
    30_000,
  );

  let over = 0;
  let worst = 0;
  let previousOver = false;
  const seen = { http: 0, grpc: 0, tcp: 0 };
  const from = Date.now();
  while (Date.now() - from < WINDOW_MS) {
    const now = { http: httpHeld, grpc: grpcHeld, tcp: synSentTo(holePort, pid) };
    const total = now.http + now.grpc + now.tcp;
    for (const key of ['http', 'grpc', 'tcp'] as const) seen[key] = Math.max(seen[key], now[key]);
    worst = Math.max(worst, total);
    // A slot given back is seen by the target a moment later: only an excess that lasts counts.
    if (total > MAX_CONCURRENCY && previousOver) over++;
    previousOver = total > MAX_CONCURRENCY;
    await sleep(SAMPLE_EVERY_MS);
  }
  assert.equal(over, 0, `more than ${MAX_CONCURRENCY} probes in flight in ${over} samples in a row (worst ${worst})`);
  assert.ok(
    worst >= MAX_CONCURRENCY - 1,
    `the hanging targets held only ${worst} slots at most: the cap was not tested`,
  );
  assert.ok(seen.http > 0 && seen.grpc > 0 && seen.tcp > 0, `each protocol held slots: ${JSON.stringify(seen)}`);

  const inWindow = (arrivals: number[]) => arrivals.filter((at) => at >= from && at < from + WINDOW_MS).length;
  for (const [name, arrivals] of [
    ['http', httpArrivals],
    ['grpc', grpcArrivals],
    ['tcp', tcpArrivals],
  ] as const) {
    const expected = WINDOW_MS / 1000 / INTERVAL_SEC[name];
    const probed = inWindow(arrivals);
    assert.ok(
      Math.abs(probed - expected) <= 1,
      `${name}-ok was probed ${probed} times in ${WINDOW_MS / 1000} s at a ${INTERVAL_SEC[name]} s interval`,
    );
  }
  const entries = await metrics(monitor.url);
  const entry = (id: string) => entries.find((e) => e.service === id);
  assert.deepEqual(
    ['http-ok', 'grpc-ok', 'tcp-ok'].map((id) => entry(id)?.health),
    ['healthy', 'healthy', 'healthy'],
  );
  assert.match(entry('tcp-closed')?.last_error ?? '', /connection refused/);
  assert.equal(entry('tcp-hang-0')?.last_error, `timeout after ${HANG_TIMEOUT_MS} ms`);
  assert.equal(entry('grpc-hang-0')?.last_error, `timeout after ${HANG_TIMEOUT_MS} ms`);
});
