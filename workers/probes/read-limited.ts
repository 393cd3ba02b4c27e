// Reads a response body up to a byte limit, so a flooding target cannot fill our memory.

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`body exceeds ${limit / (1024 * 1024)} MiB`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The body's bytes, or a BodyTooLargeError as soon as more than `limit` bytes are announced by
 * `content-length` (nothing is read then) or have arrived (nothing more is read). Either way the
 * response is cancelled, which closes its connection instead of draining the rest.
 */
export async function readBodyLimited(response: Response, limit: number): Promise<Uint8Array> {
  // No header reads as 0; a malformed one never gets past undici's parser.
  const declared = Number(response.headers.get('content-length'));
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(limit);
  }
  return readLimited(response.body, limit);
}

export async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw new BodyTooLargeError(limit);
      chunks.push(value);
    }
  } finally {
    // Cancelling frees the socket at once instead of draining the rest of a huge body.
    if (size > limit) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  return Buffer.concat(chunks, size);
}
