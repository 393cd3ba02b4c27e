// One HTTP probe attempt as its fetch sees it: the deadline that bounds headers and body together, and
// the response body handed from the fetch to the probe. It travels from the probe to the fetch as an
// option ky does not know (ky passes those on to `fetch`), so ky is given no signal: signals cost ky
// and the fetch's Request much of a probe's CPU on Node 20 (docs/probe-engine-performance.md, round 2).
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';

/** The ky option that carries the call to the fetch. */
export const PROBE_CALL_OPTION = 'probeCall';

/** The option as the probe passes it to ky, and ky on to the fetch. */
export interface ProbeCallOption {
  readonly [PROBE_CALL_OPTION]: ProbeCall;
}

/**
 * An abort source for `undici.request` (its `signal` takes an EventEmitter that emits 'abort' and has
 * `aborted` and `reason`), armed with one timer. Everything that must end at the deadline listens to
 * it directly, and the pending timer holds it strongly: unlike an AbortSignal handed on through ky's
 * and fetch's own signals, no garbage collection can unlink a listener from it
 * (trickle-timeout.test.ts).
 */
export class ProbeCall extends EventEmitter {
  aborted = false;
  reason: Error | undefined = undefined;
  private readonly timer: NodeJS.Timeout;
  private body: Readable | null = null;

  constructor(readonly timeoutMs: number) {
    super();
    this.timer = setTimeout(() => this.expire(), timeoutMs);
  }

  /** The timeout as WHATWG fetch reports it (a DOMException named TimeoutError). */
  private expire(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException(`The operation timed out after ${this.timeoutMs} ms`, 'TimeoutError');
    this.emit('abort');
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /**
   * Called by the fetch with the body of the response it returns. An error listener is attached at
   * once: a deadline passing before the probe reads the body destroys it with an error that would
   * otherwise crash the thread (the reader finds it in `errored`).
   */
  handOver(body: Readable): void {
    body.on('error', ignore);
    this.body = body;
  }

  /** The response body, once: whoever takes it reads it or destroys it. */
  takeBody(): Readable | null {
    const { body } = this;
    this.body = null;
    return body;
  }

  /**
   * Ends the attempt: the timer is cleared, and a body nobody took is destroyed, which closes its
   * connection instead of draining it (a status other than 200 is not read).
   */
  end(): void {
    clearTimeout(this.timer);
    this.takeBody()?.destroy();
  }
}

function ignore(): void {}

/** The call in a fetch's `init`, if the probe passed one. */
export function probeCallOf(init: object | undefined): ProbeCall | undefined {
  const call: unknown = init === undefined ? undefined : (init as Record<string, unknown>)[PROBE_CALL_OPTION];
  return call instanceof ProbeCall ? call : undefined;
}
