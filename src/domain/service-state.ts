// What the monitor knows about one service, and how one probe result changes it.
import { classify, isSlowReason, judgeCertificate, judgeLatency, type Observation } from './classify.js';
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
  /** When the certificate the last https answer came over expires (epoch ms); `null` for plain HTTP or before one. */
  readonly tlsExpiresAt: number | null;
  /** 200 answers in a row slower (or not slower) than `degraded_latency_ms`: its flap damping. */
  readonly consecutiveSlow: number;
  readonly consecutiveFast: number;
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
  tlsExpiresAt: null,
  consecutiveSlow: 0,
  consecutiveFast: 0,
  badSince: null,
});

function sampleOf(report: HealthReport): CounterSample | null {
  if (report.requestCount === null) return null;
  // The reference decodes a missing counter as zero; only request_count makes a sample.
  return Object.freeze({
    requestCount: report.requestCount,
    errorCount: report.errorCount ?? 0,
    uptimeSec: report.uptimeSec,
  });
}

/** A service's state as its owner (the store actor) updates it in place. */
export type MutableServiceState = { -readonly [K in keyof ServiceState]: ServiceState[K] };

/**
 * A copy with every field written out in one order. Copies of one shape share a hidden class; a spread
 * copy of a state changed in place gets a class of its own, which costs memory and makes every reader
 * of states megamorphic (docs/performance.md, "Hidden classes").
 */
export function copyState(state: ServiceState): MutableServiceState {
  return {
    health: state.health,
    ready: state.ready,
    reason: state.reason,
    lastCheckedAt: state.lastCheckedAt,
    lastResponseMs: state.lastResponseMs,
    lastError: state.lastError,
    uptimeSec: state.uptimeSec,
    sample: state.sample,
    errorRate: state.errorRate,
    recentErrorRate: state.recentErrorRate,
    healthAttributes: state.healthAttributes,
    consecutiveFailures: state.consecutiveFailures,
    consecutiveSuccesses: state.consecutiveSuccesses,
    tlsExpiresAt: state.tlsExpiresAt,
    consecutiveSlow: state.consecutiveSlow,
    consecutiveFast: state.consecutiveFast,
    badSince: state.badSince,
  };
}

/** Counters and rates move with every usable answer, whatever flap damping says about health. */
function takeReport(state: MutableServiceState, report: HealthReport): void {
  const sample = sampleOf(report);
  if (report.uptimeSec !== null) state.uptimeSec = report.uptimeSec;
  if (sample) {
    state.recentErrorRate = recentErrorRate(state.sample, sample);
    state.errorRate = lifetimeErrorRate(sample);
    state.sample = sample;
  }
  // Most services answer the same attributes every time: keeping the object makes no garbage per probe.
  if (!sameAttributes(state.healthAttributes, report.attributes)) {
    state.healthAttributes = Object.freeze({ ...report.attributes });
  }
}

function sameAttributes(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  const otherKeys = Object.keys(b);
  if (keys.length !== otherKeys.length) return false;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    if (key !== otherKeys[index] || a[key] !== b[key]) return false;
  }
  return true;
}

/**
 * Flap damping as Kubernetes probes do it: a change between the success and failure classes is
 * reported only after `failure_threshold` or `success_threshold` agreeing probes in a row. A change
 * within a class (healthy ↔ degraded, dead ↔ unhealthy) and the first verdict after `unknown` apply at once.
 */
function shouldAdopt(
  current: HealthVerdict & { readonly reason: string },
  observed: Observation,
  state: ServiceState,
  settings: ServiceSettings,
): boolean {
  const observedFailure = isFailure(observed.health);
  if (!isFailure(current.health) && !isSuccess(current.health)) return true;
  // Slowness is damped like failure: so many slow answers in a row to turn degraded, so many fast
  // ones to turn healthy again.
  if (current.health === 'healthy' && isSlowReason(observed.reason))
    return state.consecutiveSlow >= settings.failureThreshold;
  if (current.health === 'degraded' && isSlowReason(current.reason) && observed.health === 'healthy')
    return state.consecutiveFast >= settings.successThreshold;
  if (observedFailure === isFailure(current.health)) return true;
  return observedFailure
    ? state.consecutiveFailures >= settings.failureThreshold
    : state.consecutiveSuccesses >= settings.successThreshold;
}

/** Applies one probe result to `state` in place; returns the verdict change it makes, if any. */
export function updateState(
  state: MutableServiceState,
  settings: ServiceSettings,
  result: ProbeResult,
): VerdictChange | null {
  const { outcome } = result;
  if (outcome.kind === 'monitor_error') {
    state.lastError = `monitor: ${outcome.error}`;
    return null;
  }
  const previous: HealthVerdict = { health: state.health, ready: state.ready };
  const previousBadSince = state.badSince;
  const at = result.startedAt + result.durationMs;
  if (outcome.kind === 'answered') takeReport(state, outcome.report);
  // An answer tells which certificate it came over; a failed connection tells nothing new.
  if (outcome.kind !== 'unreachable') state.tlsExpiresAt = outcome.tlsExpiresAt ?? null;
  const observed = judgeCertificate(
    judgeLatency(
      classify(outcome, state.recentErrorRate ?? state.errorRate, settings.errorRateThreshold),
      result.durationMs,
      settings.degradedLatencyMs,
    ),
    state.tlsExpiresAt,
    at,
    settings.tlsExpiryWarnDays,
  );
  const observedFailure = isFailure(observed.health);
  const answered = outcome.kind === 'answered';
  const slow = answered && settings.degradedLatencyMs !== null && result.durationMs > settings.degradedLatencyMs;
  state.lastCheckedAt = at;
  state.lastResponseMs = result.durationMs;
  state.lastError = observed.error;
  state.consecutiveFailures = observedFailure ? state.consecutiveFailures + 1 : 0;
  state.consecutiveSuccesses = observedFailure ? 0 : state.consecutiveSuccesses + 1;
  state.consecutiveSlow = slow ? state.consecutiveSlow + 1 : 0;
  state.consecutiveFast = answered && !slow ? state.consecutiveFast + 1 : 0;
  if (!shouldAdopt({ ...previous, reason: state.reason }, observed, state, settings)) return null;

  state.badSince = !isFailure(observed.health) ? null : isFailure(previous.health) ? (previousBadSince ?? at) : at;
  state.health = observed.health;
  state.ready = observed.ready;
  state.reason = observed.reason;
  if (state.health === previous.health && state.ready === previous.ready) return null;
  return { from: previous, to: { health: state.health, ready: state.ready }, reason: observed.reason, at };
}

/** `updateState` on a copy: the previous state is left as it was. */
export function applyProbe(
  previous: ServiceState,
  settings: ServiceSettings,
  result: ProbeResult,
): { state: ServiceState; change: VerdictChange | null } {
  const state = copyState(previous);
  const change = updateState(state, settings, result);
  return { state, change };
}
