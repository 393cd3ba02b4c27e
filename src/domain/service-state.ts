// What the monitor knows about one service, and how one probe result changes it.
import { classify } from './classify.js';
import { lifetimeErrorRate, recentErrorRate, type CounterSample } from './error-rate.js';
import { isFailure, isSuccess, type HealthVerdict } from './health.js';
import type { HealthReport } from './health-report.js';
import type { ProbeResult } from './probe.js';
import type { ServiceSettings } from './registration.js';

export interface ServiceState extends HealthVerdict {
  /** Why the reported health is what it is. */
  readonly reason: string;
  /** Epoch ms of the last completed probe, `null` before the first. */
  readonly lastCheckedAt: number | null;
  readonly lastResponseMs: number | null;
  readonly lastError: string | null;
  readonly uptimeSec: number | null;
  /** The latest counters the service reported; the base of the next error-rate window. */
  readonly sample: CounterSample | null;
  readonly errorRate: number;
  readonly recentErrorRate: number | null;
  readonly healthAttributes: Readonly<Record<string, string>>;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** Epoch ms since when the reported health has been dead or unhealthy without a break; `null` otherwise. */
  readonly badSince: number | null;
}

export interface VerdictChange {
  readonly from: HealthVerdict;
  readonly to: HealthVerdict;
  readonly reason: string;
  readonly at: number;
}

export const INITIAL_STATE: ServiceState = Object.freeze({
  health: 'unknown',
  ready: false,
  reason: 'not probed yet',
  lastCheckedAt: null,
  lastResponseMs: null,
  lastError: null,
  uptimeSec: null,
  sample: null,
  errorRate: 0,
  recentErrorRate: null,
  healthAttributes: Object.freeze({}),
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
  badSince: null,
});

function sampleOf(report: HealthReport): CounterSample | null {
  if (report.requestCount === null) return null;
  // The reference decodes a missing counter as zero; only request_count makes a sample.
  return { requestCount: report.requestCount, errorCount: report.errorCount ?? 0, uptimeSec: report.uptimeSec };
}

/** Counters and rates move with every usable answer, whatever flap damping says about health. */
function withReport(state: ServiceState, report: HealthReport): ServiceState {
  const sample = sampleOf(report);
  return {
    ...state,
    uptimeSec: report.uptimeSec ?? state.uptimeSec,
    sample: sample ?? state.sample,
    errorRate: sample ? lifetimeErrorRate(sample) : state.errorRate,
    recentErrorRate: sample ? recentErrorRate(state.sample, sample) : state.recentErrorRate,
    healthAttributes: Object.freeze({ ...report.attributes }),
  };
}

/**
 * Flap damping as Kubernetes probes do it: a change between the success and failure classes is
 * reported only after `failure_threshold` or `success_threshold` agreeing probes in a row. A change
 * within a class (healthy ↔ degraded, dead ↔ unhealthy) and the first verdict after `unknown` apply at once.
 */
function shouldAdopt(current: HealthVerdict, observedFailure: boolean, state: ServiceState, settings: ServiceSettings): boolean {
  if (!isFailure(current.health) && !isSuccess(current.health)) return true;
  if (observedFailure === isFailure(current.health)) return true;
  return observedFailure
    ? state.consecutiveFailures >= settings.failureThreshold
    : state.consecutiveSuccesses >= settings.successThreshold;
}

export function applyProbe(
  previous: ServiceState,
  settings: ServiceSettings,
  result: ProbeResult,
): { state: ServiceState; change: VerdictChange | null } {
  const { outcome } = result;
  if (outcome.kind === 'monitor_error') {
    return { state: { ...previous, lastError: `monitor: ${outcome.error}` }, change: null };
  }
  const at = result.startedAt + result.durationMs;
  const counted = outcome.kind === 'answered' ? withReport(previous, outcome.report) : previous;
  const observed = classify(outcome, counted.recentErrorRate ?? counted.errorRate, settings.errorRateThreshold);
  const observedFailure = isFailure(observed.health);
  const probed: ServiceState = {
    ...counted,
    lastCheckedAt: at,
    lastResponseMs: result.durationMs,
    lastError: observed.error,
    consecutiveFailures: observedFailure ? previous.consecutiveFailures + 1 : 0,
    consecutiveSuccesses: observedFailure ? 0 : previous.consecutiveSuccesses + 1,
  };
  if (!shouldAdopt(previous, observedFailure, probed, settings)) return { state: probed, change: null };

  const badSince = !isFailure(observed.health) ? null : isFailure(previous.health) ? previous.badSince ?? at : at;
  const state: ServiceState = { ...probed, health: observed.health, ready: observed.ready, reason: observed.reason, badSince };
  const changed = state.health !== previous.health || state.ready !== previous.ready;
  const change = changed
    ? {
        from: { health: previous.health, ready: previous.ready },
        to: { health: state.health, ready: state.ready },
        reason: observed.reason,
        at,
      }
    : null;
  return { state, change };
}
