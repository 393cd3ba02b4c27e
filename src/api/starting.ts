// What the monitor answers before it is ready (PostgreSQL still unreachable at start): 503 with the reason.
import { Hono } from 'hono';
import { ApiError, errorResponse } from './errors.js';
import { secureHeadersMiddleware } from './secure-headers.js';
import type { FetchHandler } from './server.js';

export interface StartingReason {
  /** `null`: still loading, nothing has failed. */
  readonly reason: string | null;
}

/** `state` is read on every request, so the reason shown follows the latest failed attempt. */
export function startingFetch(state: StartingReason): FetchHandler {
  const app = new Hono();
  app.use(secureHeadersMiddleware);
  app.get('/healthz', (c) => c.json({ status: 'starting', reason: state.reason ?? 'the monitor is starting' }, 503));
  app.all('*', (c) =>
    errorResponse(
      c,
      new ApiError(503, 'starting', `the monitor is not ready yet: ${state.reason ?? 'it is starting'}`, [], {
        'retry-after': '1',
      }),
    ),
  );
  return app.fetch;
}
