// One probe outcome → the health and readiness it shows, with the reason in words.
import type { Health } from './health.js';
import type { ProbeOutcome } from './probe.js';

export interface Observation {
  readonly health: Health;
  readonly ready: boolean;
  readonly reason: string;
  /** What `last_error` shows: `null` for an answer that was usable. */
  readonly error: string | null;
}

/** `rate` is the error rate health is judged by: the recent one when known, else the lifetime one. */
export function classify(
  outcome: Exclude<ProbeOutcome, { kind: 'monitor_error' }>,
  rate: number,
  errorRateThreshold: number,
): Observation {
  switch (outcome.kind) {
    case 'unreachable':
      return { health: 'dead', ready: false, reason: outcome.error, error: outcome.error };
    case 'http_status': {
      const reason = `HTTP ${outcome.status}`;
      return { health: 'unhealthy', ready: false, reason, error: reason };
    }
    case 'invalid_body':
      return { health: 'unhealthy', ready: true, reason: outcome.error, error: outcome.error };
    case 'answered':
      if (rate > errorRateThreshold) {
        return {
          health: 'degraded',
          ready: true,
          reason: `error rate ${formatRate(rate)} above threshold ${formatRate(errorRateThreshold)}`,
          error: null,
        };
      }
      return { health: 'healthy', ready: true, reason: 'answered 200', error: null };
  }
}

function formatRate(rate: number): string {
  return String(Math.round(rate * 1000) / 1000);
}
