// One probe outcome → the health and readiness it shows, with the reason in words.
import type { Health } from './health.js';
import { DAY_MS } from './daily-uptime.js';
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
    case 'grpc_status': {
      const reason = `gRPC health ${outcome.status}`;
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

const SLOW_PREFIX = 'answered in ';

/** A healthy answer slower than `limitMs` (`degraded_latency_ms`) is degraded, saying by how much. */
export function judgeLatency(observed: Observation, durationMs: number, limitMs: number | null): Observation {
  if (limitMs === null || observed.health !== 'healthy' || durationMs <= limitMs) return observed;
  return { ...observed, health: 'degraded', reason: `${SLOW_PREFIX}${Math.round(durationMs)} ms, over ${limitMs} ms` };
}

/** Whether a reason is judgeLatency's: slowness is damped by the thresholds, unlike an error rate. */
export function isSlowReason(reason: string): boolean {
  return reason.startsWith(SLOW_PREFIX);
}

/** Whole days until `expiresAt`, cut: 4.9 days left reads 4; negative once it has expired. */
export function daysLeft(expiresAt: number, now: number): number {
  return Math.floor((expiresAt - now) / DAY_MS);
}

/** A healthy answer over a certificate expiring within `warnDays` is degraded, saying when. */
export function judgeCertificate(
  observed: Observation,
  expiresAt: number | null,
  now: number,
  warnDays: number,
): Observation {
  if (expiresAt === null || observed.health !== 'healthy' || expiresAt - now > warnDays * DAY_MS) return observed;
  const left = daysLeft(expiresAt, now);
  const when = new Date(expiresAt).toISOString();
  return {
    ...observed,
    health: 'degraded',
    reason:
      left < 0
        ? `TLS certificate expired on ${when}`
        : `TLS certificate expires in ${left} day${left === 1 ? '' : 's'} (${when}), within ${warnDays}`,
  };
}
