// Reads a response body up to a byte limit, so a flooding target cannot fill our memory, and no longer
// than its signal allows, so a trickling one cannot hold the probe past its timeout.

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`body exceeds ${limit / (1024 * 1024)} MiB`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The signal is listened to here, not only left to the fetch: on its way through ky and the Request
 * objects it reaches the body through signals that hold it only weakly, and after a garbage collection
 * it never arrived (workers/probes/trickle-timeout.test.ts). A listener also keeps a timeout signal alive.
 */
export async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number, signal?: AbortSignal): Promise<string> {
  if (body === null) return '';
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
  return Buffer.concat(chunks).toString('utf8');
}
