// Reads a response body up to a byte limit, so a flooding target cannot fill our memory.

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`body exceeds ${limit / (1024 * 1024)} MiB`);
    this.name = 'BodyTooLargeError';
  }
}

export async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (body === null) return '';
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
  return Buffer.concat(chunks).toString('utf8');
}
