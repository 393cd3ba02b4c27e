// When a failed delivery is tried again, and how long to wait first: exponential backoff with full jitter.

export interface BackoffOptions {
  /** The ceiling of the first wait; it doubles with every retry. */
  readonly baseMs: number;
  /** No wait is longer, Retry-After included. */
  readonly capMs: number;
  /** [0, 1); injectable so a test can pin the jitter. */
  readonly random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 60_000, random: Math.random };

/** 408 and 429 say "later"; 5xx says the receiver is in trouble. Other statuses (3xx, 4xx) will not change on a retry. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** The wait before retry number `retry` (1 for the first): the receiver's Retry-After when it gave one, within the cap. */
export function backoffDelayMs(retry: number, backoff: BackoffOptions, retryAfterMs: number | null): number {
  if (retryAfterMs !== null) return Math.min(retryAfterMs, backoff.capMs);
  // Full jitter (AWS architecture blog): a uniform wait up to the exponential ceiling spreads retries out.
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** (retry - 1));
  return Math.floor(backoff.random() * ceiling);
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`; `null` when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP date form names its month; without this, Date.parse reads "-5" as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
