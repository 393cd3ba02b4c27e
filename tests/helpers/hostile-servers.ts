// Real hostile targets on 127.0.0.1, port 0, each recording what it managed to do to the monitor.
// Shared by the one-at-a-time tests (tests/hostile-targets-*.test.ts) and the all-at-once one.
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { selfSignedCertificate, startRawServer, type RawServer } from './raw-server.js';
import { json, startTarget, type Target } from './target.js';

export const FIFTY_MB = 50 * 1024 * 1024;
/** How deep the nested-JSON target nests its arrays. */
export const NESTING_DEPTH = 100_000;

/** One response a target streamed: how much of it went out, and whether the monitor hung up. */
export interface StreamedResponse {
  readonly startedAt: number;
  written: number;
  closedAt: number | null;
}

function streamed(res: ServerResponse): StreamedResponse {
  const response: StreamedResponse = { startedAt: Date.now(), written: 0, closedAt: null };
  res.on('close', () => (response.closedAt = Date.now()));
  return response;
}

/** Plain TCP, not even HTTP: reads what the monitor sends (so it sees the monitor hang up), answers nothing. */
export function startSilentTarget(): Promise<RawServer> {
  return startRawServer(
    createNetServer((socket) => socket.resume()),
    'http',
  );
}

export const TRICKLED_BODY = `{"uptime_sec":1${' '.repeat(60)}}`;

/** Headers at once, then the body one byte a second: the whole of it would take over a minute. */
export async function startTricklingTarget(): Promise<{ server: RawServer; responses: StreamedResponse[] }> {
  const responses: StreamedResponse[] = [];
  const server = await startRawServer(
    createHttpServer((_req, res) => {
      const response = streamed(res);
      responses.push(response);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(TRICKLED_BODY.length) });
      const sendByte = (): void => {
        if (response.written < TRICKLED_BODY.length) res.write(TRICKLED_BODY[response.written++]);
      };
      sendByte();
      const timer = setInterval(sendByte, 1000);
      res.on('close', () => clearInterval(timer));
    }),
    'http',
  );
  return { server, responses };
}

/** 50 MB of JSON-looking blanks, chunked, with no length to warn the reader: only counting can stop it. */
export async function startFloodingTarget(): Promise<{ target: Target; responses: StreamedResponse[] }> {
  const responses: StreamedResponse[] = [];
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const target = await startTarget((_req, res) => {
    const response = streamed(res);
    responses.push(response);
    res.writeHead(200, { 'content-type': 'application/json' });
    const pump = (): void => {
      while (response.written < FIFTY_MB && !res.destroyed) {
        response.written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  return { target, responses };
}

/** Announces 50 MB by content-length and then sends nothing: waiting for the body would only time out. */
export function startLengthAnnouncingTarget(): Promise<Target> {
  return startTarget((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(FIFTY_MB) });
    res.flushHeaders();
  });
}

/** JSON with invalid UTF-8 in an attribute: 0xC3 starts a two-byte sequence 0x28 does not continue; 0xFF never occurs. */
export function startGarbledTarget(): Promise<Target> {
  const body = Buffer.concat([
    Buffer.from('{"request_count":1,"attributes":{"v":"'),
    Buffer.from([0xc3, 0x28, 0xff]),
    Buffer.from('"}}'),
  ]);
  return startTarget((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
}

/**
 * JSON nested NESTING_DEPTH levels deep, a recursive parser's end. `alternate`: the even requests get
 * a bare nest of arrays (not an object: invalid), the odd ones an object whose attribute is the nest
 * (a valid answer; the nest is not a string and is skipped). Otherwise always the bare nest.
 */
export function startDeepJsonTarget(alternate: boolean): Promise<Target> {
  const nest = '['.repeat(NESTING_DEPTH) + ']'.repeat(NESTING_DEPTH);
  const wrapped = `{"request_count":2,"error_count":0,"attributes":{"deep":${nest},"kept":"yes"}}`;
  return startTarget((_req, res, index) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(alternate && index % 2 === 1 ? wrapped : nest),
  );
}

/** A 302 to `location`. */
export function startRedirectingTarget(location: string): Promise<Target> {
  return startTarget((_req, res) => res.writeHead(302, { location }).end());
}

/** Starts a 200 body, then resets the connection: an RST, as a crashing process or a middlebox sends. */
export function startResettingTarget(): Promise<Target> {
  return startTarget((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"uptime_sec":1,"attributes":{"v":"');
    setTimeout(() => req.socket.resetAndDestroy(), 20);
  });
}

/** https with the committed self-signed certificate; `served` counts requests that got through TLS. */
export async function startSelfSignedTarget(): Promise<{ server: RawServer; served: () => number }> {
  let served = 0;
  const server = await startRawServer(
    createHttpsServer(selfSignedCertificate(), (_req, res) => {
      served++;
      json(res, { uptime_sec: 1 });
    }),
    'https',
  );
  return { server, served: () => served };
}

/** A healthy plain-HTTP target, for an https URL: its answer to a TLS hello is not TLS. */
export function startPlainHttpTarget(): Promise<Target> {
  return startTarget((_req, res) => json(res, { uptime_sec: 1 }));
}

/** A 200 whose headers are 64 KiB: more than any client should buffer for a health check. */
export function startHeaderFloodTarget(): Promise<Target> {
  return startTarget((_req, res) => {
    res.setHeader('x-padding', 'a'.repeat(64 * 1024));
    json(res, { uptime_sec: 1 });
  });
}
