// A farm of many distinct health endpoints in one process (GET /s/<n>/health), with control paths the
// bench steers it by; docs/benchmarks.md, "What runs where", lists them. Prints `listening <port>`.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { answerTarget } from './farm/behaviours.js';
import { parseTargetPath } from './farm/target-paths.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'latency-ms': { type: 'string' },
    'record-arrivals': { type: 'boolean', default: false },
  },
});
const latencyMs = Number(values['latency-ms'] ?? 0);
if (!Number.isInteger(latencyMs) || latencyMs < 0) {
  process.stderr.write(
    `target-farm: --latency-ms must be a whole number of milliseconds, not "${values['latency-ms']}"\n`,
  );
  process.exit(2);
}
let served = 0;
let arrivals: [string, number][] = [];
const recordArrivals = values['record-arrivals'];
const held: (() => void)[] = [];

function sendJson(response: ServerResponse, body: string): void {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

const server = createServer((request, response) => {
  const path = request.url ?? '';
  if (path === '/stats') return sendJson(response, JSON.stringify({ served, held: held.length }));
  if (path === '/arrivals') {
    const body = JSON.stringify(arrivals);
    arrivals = [];
    return sendJson(response, body);
  }
  // Sub-millisecond: lags are a few milliseconds.
  if (recordArrivals && path.startsWith('/s/')) arrivals.push([path, performance.timeOrigin + performance.now()]);
  if (path === '/release' && request.method === 'POST') {
    const released = held.splice(0);
    for (const answer of released) answer();
    return sendJson(response, JSON.stringify({ released: released.length }));
  }
  const target = parseTargetPath(path);
  if (target !== null) {
    served++;
    return answerTarget(target, request, response);
  }
  const body = JSON.stringify({ uptime_sec: 100, request_count: 1000 + served, error_count: 3, attributes: { path } });
  const answer = (): void => {
    served++;
    sendJson(response, body);
  };
  if (path.startsWith('/held/')) held.push(answer);
  else if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
