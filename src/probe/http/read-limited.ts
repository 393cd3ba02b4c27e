// Reads a response body up to a byte limit, so a flooding target cannot fill our memory, and no longer
// than its probe call's deadline, so a trickling one cannot hold the probe past its timeout.
import type { Readable } from 'node:stream';
import type { ProbeCall } from './probe-call.js';

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`body exceeds ${limit / (1024 * 1024)} MiB`);
    this.name = 'BodyTooLargeError';
  }
}

const EMPTY = new Uint8Array(0);

/**
 * The body's bytes, or a BodyTooLargeError as soon as more than `limit` bytes are announced by
 * `content-length` (nothing is read then) or have arrived (nothing more is read). Either way the body
 * is destroyed, which closes its connection instead of draining the rest.
 */
export function readBodyLimited(
  body: Readable,
  contentLength: string | null,
  limit: number,
  call: ProbeCall,
): Promise<Uint8Array> {
  // No header reads as 0; a malformed one never gets past undici's parser.
  if (Number(contentLength) > limit) {
    destroyQuietly(body);
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return readLimited(body, limit, call);
}

/**
 * undici ends the body at the call's deadline too (the call is its abort source); the read listens to
 * the deadline itself as well, so that the bound holds here whatever undici's listener does.
 */
export function readLimited(body: Readable | null, limit: number, call: ProbeCall): Promise<Uint8Array> {
  if (body === null) return Promise.resolve(EMPTY);
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: unknown): void => {
      body.off('data', onData).off('end', onEnd).off('error', settle).off('close', onClose);
      call.off('abort', onAbort);
      if (error === undefined) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size <= limit) return void chunks.push(chunk);
      // Destroying frees the socket at once instead of draining the rest of a huge body.
      destroyQuietly(body);
      settle(new BodyTooLargeError(limit));
    };
    const onEnd = (): void => settle(undefined);
    // 'end' or 'error' comes first; this only guards against a reader waiting forever.
    const onClose = (): void => settle(new Error('response body closed before its end'));
    const onAbort = (): void => {
      destroyQuietly(body, call.reason);
      settle(call.reason);
    };
    if (call.aborted) return onAbort();
    if (body.errored !== null) return settle(body.errored);
    if (body.destroyed) return onClose();
    call.on('abort', onAbort);
    body.on('error', settle).on('close', onClose).on('end', onEnd).on('data', onData);
  });
}

/** Destroying emits an error (undici's body makes one when there is none): heard, or it would crash the thread. */
function destroyQuietly(body: Readable, error?: Error): void {
  body.on('error', ignore).destroy(error);
}

function ignore(): void {}
