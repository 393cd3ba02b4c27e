// The Node.js request and response behind a Hono context, when @hono/node-server serves it (its
// `c.env` holds them). A request made in-process (`app.request`, in tests) has neither.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';

function envObject(c: Context, key: 'incoming' | 'outgoing'): object | null {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !(key in env)) return null;
  const value: unknown = (env as Record<typeof key, unknown>)[key];
  // Both are event emitters: `on` tells them from anything else a caller may have put there.
  return typeof value === 'object' && value !== null && 'on' in value ? value : null;
}

export const incomingOf = (c: Context): IncomingMessage | null => envObject(c, 'incoming') as IncomingMessage | null;

export const outgoingOf = (c: Context): ServerResponse | null => envObject(c, 'outgoing') as ServerResponse | null;
