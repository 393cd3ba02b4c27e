// GET /events: the live event stream (server-sent events), resuming after Last-Event-ID from the event log.
import type { ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { SseSink } from '../../notify/event-stream/sse-sink.js';
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { isHead } from '../head.js';
import { errorResponses, type DocumentRoutes } from '../route-docs.js';

const LAST_EVENT_ID = z
  .string()
  .regex(/^\d{1,15}$/)
  .meta({ description: 'Resume after the event with this id: every event logged since is sent first' });

const STREAM_DESCRIPTION = [
  'A stream that stays open. Each logged event is `event: registered | deregistered | transition`,',
  '`data: <one JSON object>`, `id: <increasing integer>`. Notices without an id: `gap` (some missed events were pruned),',
  '`reset` (the id is ahead of this log), `dropped` (the client was too slow), `shutdown`.',
  'A `: heartbeat` comment comes every 15 s.',
].join(' ');

export const documentEventRoutes: DocumentRoutes = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/events',
    summary: 'Registrations, removals and state transitions as server-sent events, resumable with Last-Event-ID',
    request: {
      headers: z.object({ 'Last-Event-ID': LAST_EVENT_ID.optional() }),
      query: z.object({
        last_event_id: LAST_EVENT_ID.optional().meta({
          description: 'The same as the Last-Event-ID header, for clients that cannot set headers',
        }),
      }),
    },
    responses: {
      200: { description: STREAM_DESCRIPTION, content: { 'text/event-stream': { schema: z.string() } } },
      ...errorResponses({
        400: '`invalid_last_event_id`: Last-Event-ID is not a whole number',
        503: '`events_unavailable`: the event stream is not running in this monitor',
      }),
    },
  });
};

/** The Node response under Hono, when served by @hono/node-server: the only way to cut a client that stopped reading. */
function nodeResponse(c: Context): ServerResponse | undefined {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !('outgoing' in env)) return undefined;
  const { outgoing } = env as { outgoing: unknown };
  return typeof outgoing === 'object' && outgoing !== null && 'destroy' in outgoing
    ? (outgoing as ServerResponse)
    : undefined;
}

/** What `streamSSE` sets, for a HEAD that gets the stream's headers without a stream. */
const SSE_HEADERS = {
  'Transfer-Encoding': 'chunked',
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
} as const;

function parseLastEventId(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  if (!/^\d{1,15}$/.test(value.trim())) {
    throw new ApiError(
      400,
      'invalid_last_event_id',
      `Last-Event-ID must be an event id this stream sent (a whole number), not ${JSON.stringify(value.slice(0, 40))}`,
      [{ field: 'Last-Event-ID', message: 'must be a whole number' }],
    );
  }
  return Number(value.trim());
}

function sinkOver(stream: SSEStreamingApi, c: Context): SseSink {
  return {
    send: async (frame) => {
      if (frame.kind === 'comment') await stream.write(`: ${frame.text}\n\n`);
      else
        await stream.writeSSE({
          event: frame.event,
          data: frame.data,
          ...(frame.kind === 'event' ? { id: String(frame.id) } : {}),
        });
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
    // Never a stream client for HEAD: Hono drops the body unread, so the stream would never be aborted.
    if (isHead(c)) return c.body(null, 200, SSE_HEADERS);
    return streamSSE(c, async (stream) => {
      const { client, done } = hub.connect(sinkOver(stream, c), lastEventId);
      stream.onAbort(() => client.disconnected());
      await done;
    });
  });
  return routes;
}
