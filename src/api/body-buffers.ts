// Reused memory for GET /metrics bodies, which run to megabytes. V8 frees a buffer's memory only when it
// collects the Buffer, and an API thread that is not busy probing collects seldom, so sent bodies pile
// up (figures: docs/decisions.md, "GET /metrics bodies"). Each body's buffer is given back once Node has
// handed the whole response to the kernel, and the next scrape of that format writes into it.
import type { Context } from 'hono';
import { outgoingOf } from './node-env.js';

/**
 * A spare buffer is reused for a body of at least half its size: a registry that shrank does not keep
 * its old largest body alive for good, and a growing one reallocates seldom (see HEADROOM).
 */
const MAX_SPARE_TO_BODY = 2;
/** New buffers are this much larger than the body, so a registry growing by a few services reuses them. */
const HEADROOM = 1.125;

export class BodyBuffers {
  /** At most one: concurrent scrapes each get their own buffer, and the last one back is kept. */
  private spare: Buffer<ArrayBuffer> | null = null;
  /** Only memory this pool handed out comes back: a slice of Node's shared pool would bring its neighbours. */
  private readonly lent = new WeakSet<ArrayBufferLike>();

  /** `length` bytes to write a body into; their content is whatever was there before. */
  take(length: number): Buffer<ArrayBuffer> {
    const spare = this.spare;
    this.spare = null;
    if (spare !== null && spare.length >= length && spare.length <= MAX_SPARE_TO_BODY * length)
      return spare.subarray(0, length);
    // Its own memory, not a slice of Node's shared pool, so the whole of it can be handed back.
    const fresh = Buffer.allocUnsafeSlow(Math.ceil(length * HEADROOM));
    this.lent.add(fresh.buffer);
    return fresh.subarray(0, length);
  }

  /** Only once nothing reads `body` any more: it may be overwritten by the next `take`. */
  giveBack(body: Buffer<ArrayBuffer>): void {
    if (this.lent.has(body.buffer)) this.spare = Buffer.from(body.buffer);
  }

  /**
   * Gives `body` back once the response carrying it has been sent in full. A response cut off before
   * then (the client went away) keeps its buffer, and V8 collects it: a write still under way may be
   * reading it. Without a Node.js response (a request made in-process, in tests) it is never given back.
   */
  giveBackWhenSent(c: Context, body: Buffer<ArrayBuffer>): void {
    const outgoing = outgoingOf(c);
    if (outgoing === null) return;
    // 'finish': the last of the body has been handed to the operating system; not emitted if cut off.
    outgoing.once('finish', () => this.giveBack(body));
  }
}
