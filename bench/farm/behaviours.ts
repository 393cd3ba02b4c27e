// How the farm answers each target kind (bench/farm/target-paths.ts): the well-behaved ones quickly, the
// hostile ones as a broken or malicious service would. Every timer and stream stops when the monitor
// gives up on the request, so the farm's own memory stays flat however long a soak runs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TargetSpec } from './target-paths.js';

const HEALTHY_BODY = JSON.stringify({
  uptime_sec: 100,
  request_count: 1000,
  error_count: 3,
  attributes: { version: '1.0.0' },
});
/** One reused chunk: a big body costs the farm no memory per request. */
const BIG_CHUNK = Buffer.alloc(64 * 1024, 'x');

function send(response: ServerResponse, status: number, body: string, type = 'application/json'): void {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** Streams `bytes` bytes of a JSON string, chunk by chunk with backpressure, until done or cut off. */
function sendBig(response: ServerResponse, bytes: number): void {
  const head = '{"attributes":{"pad":"';
  const tail = '"}}';
  const total = Math.max(bytes, head.length + tail.length);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': total });
  let left = total - head.length - tail.length;
  response.write(head);
  const pump = (): void => {
    while (left > 0 && !response.destroyed) {
      const chunk = left >= BIG_CHUNK.length ? BIG_CHUNK : BIG_CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!response.write(chunk)) return void response.once('drain', pump);
    }
    if (!response.destroyed) response.end(tail);
  };
  pump();
}

/** Headers, then a byte a second of a body that never ends; stops when the client goes away. */
function trickle(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{');
  const timer = setInterval(() => {
    if (!response.destroyed) response.write(' ');
  }, 1000);
  response.once('close', () => clearInterval(timer));
}

/** Part of a body, then a TCP reset instead of the rest. */
function reset(request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
  response.write('{"uptime_sec": 1', () => request.socket.resetAndDestroy());
}

export function answerTarget(spec: TargetSpec, request: IncomingMessage, response: ServerResponse): void {
  const healthy = (): void => send(response, 200, HEALTHY_BODY);
  switch (spec.kind) {
    case 'healthy':
      return healthy();
    case 'slow': {
      const timer = setTimeout(healthy, spec.param);
      // The monitor timed out: nothing left to answer.
      response.once('close', () => clearTimeout(timer));
      return;
    }
    case 'http500':
      return send(response, 500, JSON.stringify({ error: 'internal error' }));
    case 'bad-json':
      return send(response, 200, '{"uptime_sec": 100, "request_count": oops');
    case 'flap': {
      const halfPeriodMs = Math.max(1, spec.param) * 1000;
      if (Math.floor(Date.now() / halfPeriodMs) % 2 === 0) return healthy();
      return send(response, 500, JSON.stringify({ error: 'flapping' }));
    }
    case 'hang':
      // Nothing: the request stays open until the monitor's timeout closes the connection.
      return;
    case 'trickle':
      return trickle(response);
    case 'big':
      return sendBig(response, spec.param);
    case 'reset':
      return reset(request, response);
  }
}
