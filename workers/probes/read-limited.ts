// Reads a response body up to a byte limit, so a flooding target cannot fill our memory, and no longer
// than its signal allows, so a trickling one cannot hold the probe past its timeout.

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`body exceeds ${limit / (1024 * 1024)} MiB`);
    this.name = 'BodyTooLargeError';
  }
}

/**
/**
 * The body's bytes, or a BodyTooLargeError as soon as more than `limit` bytes are announced by
 * `content-length` (nothing is read then) or have arrived (nothing more is read). Either way the
 * response is cancelled, which closes its connection instead of draining the rest.
 */
export async function readBodyLimited(response: Response, limit: number, signal?: AbortSignal): Promise<Uint8Array> {
  // No header reads as 0; a malformed one never gets past undici's parser.
  const declared = Number(response.headers.get('content-length'));
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(limit);
  }
  return readLimited(response.body, limit, signal);
}

/**
 * The signal is listened to here, not only left to the fetch: on its way through ky and the Request
 * objects it reaches the body through signals that hold it only weakly, and after a garbage collection
 * it never arrived (workers/probes/trickle-timeout.test.ts). A listener also keeps a timeout signal alive.
 */
export async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  signal?.throwIfAborted();
  const reader = body.getReader();
  // Cancelling ends the pending read at once (as done); the abort is thrown below.
  const onAbort = (): void => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw new BodyTooLargeError(limit);
      chunks.push(value);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Cancelling frees the socket at once instead of draining the rest of a huge body.
    if (size > limit) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  return Buffer.concat(chunks, size);
}
