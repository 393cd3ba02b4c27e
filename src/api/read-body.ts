// A request body as text, at most `maxBytes`, read straight from Node's IncomingMessage when served by
// @hono/node-server. Touching `c.req.raw.body` (as hono/body-limit does) makes the adapter build a
// WHATWG Request with two ReadableStreams and an AbortSignal per request, a large share of the API
// thread's time under a registration flood (docs/decisions.md, "Registration API").
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { ApiError } from './errors.js';
import { incomingOf } from './node-env.js';

/** The one 413: a body over `maxBytes`, whether declared or found while reading. */
export const tooLarge = (maxBytes: number): ApiError =>
  new ApiError(413, 'payload_too_large', `body must be at most ${maxBytes} bytes`);

function readIncoming(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanUp = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanUp();
        // Stop buffering; Node discards the rest of the body once the answer is sent.
        incoming.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanUp();
      resolve(Buffer.concat(chunks, size).toString('utf8'));
    };
    const onError = (error: Error): void => {
      cleanUp();
      reject(error);
    };
    const onClose = (): void => {
      cleanUp();
      reject(new ApiError(400, 'invalid_json', 'the request body ended before it was complete'));
    };
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
    incoming.once('close', onClose);
  });
}

/** Refuses with 413 `payload_too_large` a body over `maxBytes`, by its Content-Length before reading a byte. */
export async function readBodyText(c: Context, maxBytes: number): Promise<string> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const incoming = incomingOf(c);
  if (incoming !== null) return readIncoming(incoming, maxBytes);
  // Not behind @hono/node-server (app.request in tests, other runtimes): the standard body.
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  return new TextDecoder().decode(bytes);
}
