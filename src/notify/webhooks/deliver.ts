// One notice to one receiver: POST with a timeout, retried with backoff while the failure may pass.
// The Agent's own request(), not fetch: fetch copies the body for every attempt, and a rendered body
// is shared by every attempt and receiver of a notice (docs/webhooks.md, "Bounds").
import type { Dispatcher } from 'undici';
import { refusalReason } from '../../net/target-guard.js';
import type { Notice } from './notice.js';
import { backoffDelayMs, isRetryableStatus, parseRetryAfter, type BackoffOptions } from './retry-policy.js';
import { signatureHeader } from './signature.js';

export const USER_AGENT = 'health-monitor-webhooks/1';

export interface DeliveryOptions {
  readonly timeoutMs: number;
  /** Attempts after the first. */
  readonly retries: number;
  readonly secret: string | null;
  readonly backoff: BackoffOptions;
  /** Wall clock, epoch ms: the signed timestamp and Retry-After dates. */
  readonly now: () => number;
  /** Aborted at shutdown: ends the attempt in flight and any wait before a retry. */
  readonly shutdown: AbortSignal;
  /**
   * What connects to the receiver: for a service's own webhook_url an Agent whose connector enforces
   * the target policy (`guardedConnector`); for a WEBHOOK_URLS receiver, which the operator chose, a plain one.
   */
  readonly dispatcher: Dispatcher;
}

export type DeliveryResult =
  | { readonly kind: 'delivered'; readonly attempts: number }
  | { readonly kind: 'failed'; readonly attempts: number; readonly error: string }
  /** Cut short by shutdown: says nothing about the receiver. */
  | { readonly kind: 'interrupted'; readonly attempts: number };

type AttemptResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryable: boolean; readonly error: string; readonly retryAfterMs: number | null };

/** `onRetry` runs just before each attempt after the first. Never throws. */
export async function deliver(
  url: string,
  notice: Notice,
  options: DeliveryOptions,
  onRetry: () => void,
): Promise<DeliveryResult> {
  const target = new URL(url);
  const body = notice.openBody();
  try {
    return await attempts(target, notice.id, body, options, onRetry);
  } finally {
    notice.closeBody();
  }
}

async function attempts(
  url: URL,
  id: string,
  body: Buffer,
  options: DeliveryOptions,
  onRetry: () => void,
): Promise<DeliveryResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(url, id, body, options);
    if (result.ok) return { kind: 'delivered', attempts: attempt };
    if (options.shutdown.aborted) return { kind: 'interrupted', attempts: attempt };
    if (!result.retryable || attempt > options.retries)
      return { kind: 'failed', attempts: attempt, error: result.error };
    const waited = await pause(backoffDelayMs(attempt, options.backoff, result.retryAfterMs), options.shutdown);
    if (!waited) return { kind: 'interrupted', attempts: attempt };
    onRetry();
  }
}

async function attemptOnce(url: URL, id: string, body: Buffer, options: DeliveryOptions): Promise<AttemptResult> {
  // Signed per attempt: a retry after a long backoff still falls inside the receiver's replay window.
  const timestampSec = Math.floor(options.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
  };
  if (options.secret !== null) headers['webhook-signature'] = signatureHeader(options.secret, id, timestampSec, body);
  const attempt = attemptSignal(options.timeoutMs, options.shutdown);
  try {
    // No redirect is followed (the Agents have no redirect interceptor): a redirect could carry the
    // signed notice somewhere the operator never configured.
    const response = await options.dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers,
      body,
      signal: attempt.signal,
    });
    // The body is never read: destroying it ends a huge or endless one at once; a finished one leaves
    // the connection to be reused.
    response.body.on('error', () => undefined).destroy();
    const status = response.statusCode;
    if (status >= 200 && status <= 299) return { ok: true };
    const retryable = isRetryableStatus(status);
    return {
      ok: false,
      retryable,
      error: status >= 300 && status <= 399 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`,
      retryAfterMs: retryable ? parseRetryAfter(firstValue(response.headers['retry-after']), options.now()) : null,
    };
  } catch (error) {
    // Refused by the target policy: no connection was made, and asking again gets the same answer.
    const refusal = refusalReason(error);
    if (refusal !== null) return { ok: false, retryable: false, error: refusal, retryAfterMs: null };
    const message = attempt.timedOut() ? `no answer within ${options.timeoutMs} ms` : describeError(error);
    return { ok: false, retryable: true, error: message, retryAfterMs: null };
  } finally {
    attempt.release();
  }
}

/**
 * Aborts on the attempt's timeout or at shutdown. Not `AbortSignal.any([AbortSignal.timeout(ms), shutdown])`:
 * every call would leave a dependant on the long-lived shutdown signal (nodejs/node#55351).
 */
function attemptSignal(
  timeoutMs: number,
  shutdown: AbortSignal,
): { signal: AbortSignal; timedOut: () => boolean; release: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  timer.unref();
  const onShutdown = (): void => controller.abort(shutdown.reason);
  if (shutdown.aborted) onShutdown();
  else shutdown.addEventListener('abort', onShutdown, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    release: () => {
      clearTimeout(timer);
      shutdown.removeEventListener('abort', onShutdown);
    },
  };
}

const firstValue = (value: string | string[] | undefined): string | null =>
  Array.isArray(value) ? (value[0] ?? null) : (value ?? null);

/** The code (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET, ...) on the error or what caused it, else its message. */
function describeError(error: unknown): string {
  for (
    let current: unknown = error, depth = 0;
    current instanceof Error && depth < 3;
    current = current.cause, depth++
  ) {
    if ('code' in current && typeof current.code === 'string') return current.code;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Resolves `true` after `ms`, or `false` at once when `signal` aborts first. Never keeps the process alive. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    timer.unref();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
