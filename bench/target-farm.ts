// A farm of many distinct health endpoints in one process: GET /s/<n>/health answers small JSON.
// Prints `listening <port>` on stdout. Optional latency: --latency-ms N; --hang-every N: /s/<n> with
// n a multiple of N never answers (a hanging target, cut by the monitor's timeout).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'latency-ms': { type: 'string' }, 'hang-every': { type: 'string' } } });
const latencyMs = Number(values['latency-ms'] ?? 0);
const hangEvery = Number(values['hang-every'] ?? 0);
let served = 0;

const server = createServer((request, response) => {
  served++;
  if (hangEvery > 0 && Number(/^\/s\/(\d+)\//.exec(request.url ?? '')?.[1] ?? -1) % hangEvery === 0) return;
  const body = JSON.stringify({ uptime_sec: 100, request_count: 1000 + served, error_count: 3, attributes: { path: request.url ?? '' } });
  const answer = (): void => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
  if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
