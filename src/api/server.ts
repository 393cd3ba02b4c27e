// The HTTP server the API runs on, with the limits that stop a slow or greedy client from holding it.
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { ApiError, errorResponse } from './errors.js';
import { secureHeadersMiddleware } from './secure-headers.js';

export interface ServerLimits {
  /** A client must have sent every request header within this (slowloris); answered 408, then closed. */
  readonly headersTimeoutMs: number;
  /** …and the whole request, body included, within this. At least `headersTimeoutMs`. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** How often open connections are checked against the two timeouts above: a timeout fires up to this late. */
  readonly timeoutCheckIntervalMs: number;
  /** All request headers together; over it the request is answered 431. */
  readonly maxHeaderBytes: number;
  /** Header lines; a request with more is answered 431. */
  readonly maxHeadersCount: number;
}

export const SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  // Node checks every 30 s by default, which would let a slowloris client stay for up to 40 s.
  timeoutCheckIntervalMs: 1_000,
  maxHeaderBytes: 16 * 1024,
  maxHeadersCount: 100,
};

export type FetchHandler = Parameters<typeof createAdaptorServer>[0]['fetch'];

export interface ApiServerOptions {
  readonly fetch: FetchHandler;
  /** The host of request URLs when a (HTTP/1.0) request names none. */
  readonly hostname?: string;
  readonly limits?: ServerLimits;
}

/** Answers 431 to a request with more than `maxLines` header lines, in the API's error shape; passes the rest to `fetch`. */
function limitHeaderLines(fetch: FetchHandler, maxLines: number): FetchHandler {
  const refusal = new Hono();
  refusal.use(secureHeadersMiddleware);
  refusal.all('*', (c) =>
    errorResponse(
      c,
      // Closed: the request's body, if any, is not read.
      new ApiError(
        431,
        'too_many_headers',
        `a request may have at most ${maxLines} header lines; this one has more`,
        [],
        { connection: 'close' },
      ),
    ),
  );
  return (request, env) =>
    env.incoming.rawHeaders.length / 2 > maxLines ? refusal.fetch(request) : fetch(request, env);
}

/** Not yet listening: the caller listens, so it can hear `error` (a port in use) first. */
export function createApiServer({ fetch, hostname, limits = SERVER_LIMITS }: ApiServerOptions): Server {
  const server = createAdaptorServer({
    fetch: limitHeaderLines(fetch, limits.maxHeadersCount),
    ...(hostname === undefined ? {} : { hostname }),
    serverOptions: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
      maxHeaderSize: limits.maxHeaderBytes,
    },
  }) as Server;
  // Node drops the lines past maxHeadersCount without a word (a late Content-Type or Authorization would
  // vanish). Keeping one line more than the limit lets limitHeaderLines see the excess and refuse it.
  server.maxHeadersCount = limits.maxHeadersCount + 1;
  return server;
}
