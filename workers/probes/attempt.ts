// The signature every protocol's probe shares: one attempt at one target, never throwing.
import type { ProbeOutcome } from '../../src/domain/index.js';

/** `failed` is a network error or timeout: the only kind of attempt that is retried, unless `final`. */
export type AttemptOutcome =
  | Exclude<ProbeOutcome, { kind: 'unreachable' } | { kind: 'monitor_error' }>
  | { readonly kind: 'failed'; readonly error: string; readonly final?: boolean };

export type ProbeAttempt = (url: string, timeoutMs: number) => Promise<AttemptOutcome>;
