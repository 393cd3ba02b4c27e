// GET /events: the live event stream (server-sent events), resuming after Last-Event-ID from the event log.
import type { ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { SseSink } from '../../notify/event-stream/sse-sink.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';

/** The Node response under Hono, when served by @hono/node-server: the only way to cut a client that stopped reading. */
function nodeResponse(c: Context): ServerResponse | undefined {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !('outgoing' in env)) return undefined;
  const { outgoing } = env as { outgoing: unknown };
  return typeof outgoing === 'object' && outgoing !== null && 'destroy' in outgoing ? (outgoing as ServerResponse) : undefined;
}

function parseLastEventId(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  if (!/^\d{1,15}$/.test(value.trim())) {
    throw new ApiError(400, 'invalid_last_event_id', `Last-Event-ID must be an event id this stream sent (a whole number), not ${JSON.stringify(value.slice(0, 40))}`, [
      { field: 'Last-Event-ID', message: 'must be a whole number' },
    ]);
  }
  return Number(value.trim());
}

function sinkOver(stream: SSEStreamingApi, c: Context): SseSink {
  return {
    send: async (frame) => {
      if (frame.kind === 'comment') await stream.write(`: ${frame.text}\n\n`);
      else await stream.writeSSE({ event: frame.event, data: frame.data, ...(frame.kind === 'event' ? { id: String(frame.id) } : {}) });
    },
    close: () => stream.close(),
    destroy: () => {
      stream.abort();
      nodeResponse(c)?.destroy();
    },
  };
}

export function eventRoutes(deps: ApiDeps): Hono {
  const routes = new Hono();
  routes.get('/events', (c) => {
    const hub = deps.eventStream;
    if (!hub) throw new ApiError(503, 'events_unavailable', 'the event stream is not running in this monitor');
    // EventSource sends the header on reconnect; the query parameter serves clients that cannot set headers.
    const lastEventId = parseLastEventId(c.req.header('last-event-id') ?? c.req.query('last_event_id'));
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const { client, done } = hub.connect(sinkOver(stream, c), lastEventId);
      stream.onAbort(() => client.disconnected());
      await done;
    });
  });
  return routes;
}
