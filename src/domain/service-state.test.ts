import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HealthReport } from './health-report.js';
import type { ProbeOutcome, ProbeResult } from './probe.js';
import { resolveSettings, type ServiceSettings } from './registration.js';
import { applyProbe, INITIAL_STATE, type ServiceState } from './service-state.js';

const defaults = {
  pollIntervalMs: 10_000,
  probeTimeoutMs: 2000,
  probeRetries: 2,
  errorRateThreshold: 0.2,
  deregisterAfterSec: null,
};
const settings = (overrides: Partial<ServiceSettings> = {}): ServiceSettings => ({
  ...resolveSettings({ id: 's', url: 'http://x', attributes: {} }, defaults),
  ...overrides,
});

let clock = 1_000_000;
const result = (outcome: ProbeOutcome): ProbeResult => ({
  serviceId: 's',
  generation: 1,
  startedAt: (clock += 1000),
  durationMs: 7,
  attempts: 1,
  outcome,
});
const answered = (
  requestCount: number | null,
  errorCount: number | null,
  extra: Partial<HealthReport> = {},
): ProbeOutcome => ({
  kind: 'answered',
  report: { uptimeSec: 100, requestCount, errorCount, attributes: {}, ...extra },
});
const DEAD: ProbeOutcome = { kind: 'unreachable', error: 'connection refused' };
const HTTP_500: ProbeOutcome = { kind: 'http_status', status: 500 };

/** Feeds outcomes in order; returns every state and the changes reported. */
function run(outcomes: ProbeOutcome[], serviceSettings = settings()): { states: ServiceState[]; changes: string[] } {
  let state = INITIAL_STATE;
  const states: ServiceState[] = [];
  const changes: string[] = [];
  for (const outcome of outcomes) {
    const applied = applyProbe(state, serviceSettings, result(outcome));
    state = applied.state;
    states.push(state);
    if (applied.change) changes.push(`${applied.change.from.health}->${applied.change.to.health}`);
  }
  return { states, changes };
}

test('first probe leaves unknown at once and records when and how long', () => {
  const { states, changes } = run([answered(10, 0)]);
  const [state] = states;
  assert.equal(state?.health, 'healthy');
  assert.equal(state?.ready, true);
  assert.equal(state?.lastResponseMs, 7);
  assert.equal(state?.lastCheckedAt, clock + 7);
  assert.deepEqual(changes, ['unknown->healthy']);
});

test('health uses the recent window: a recovering service stops being degraded', () => {
  // Lifetime 50% errors, but the last window had 1 error in 100 requests.
  const { states, changes } = run([answered(100, 50), answered(200, 51)]);
  assert.equal(states[0]?.health, 'degraded');
  assert.equal(states[1]?.errorRate, 51 / 200);
  assert.equal(states[1]?.recentErrorRate, 0.01);
  assert.equal(states[1]?.health, 'healthy');
  assert.deepEqual(changes, ['unknown->degraded', 'degraded->healthy']);
});

test('a service that starts failing now is degraded even with a clean lifetime', () => {
  const { states } = run([answered(1000, 0), answered(1100, 50)]);
  assert.equal(states[1]?.errorRate, 50 / 1100);
  assert.equal(states[1]?.recentErrorRate, 0.5);
  assert.equal(states[1]?.health, 'degraded');
});

test('a window without traffic falls back to the lifetime rate', () => {
  const { states } = run([answered(100, 30), answered(100, 30)]);
  assert.equal(states[1]?.recentErrorRate, null);
  assert.equal(states[1]?.health, 'degraded');
});

test('a per-service error_rate_threshold overrides the global one', () => {
  const { states } = run([answered(100, 30)], settings({ errorRateThreshold: 0.5 }));
  assert.equal(states[0]?.health, 'healthy');
});

test('failure_threshold: 3 failures in a row before a healthy service is reported dead', () => {
  const { states, changes } = run([answered(1, 0), DEAD, DEAD, DEAD], settings({ failureThreshold: 3 }));
  assert.deepEqual(
    states.map((s) => s.health),
    ['healthy', 'healthy', 'healthy', 'dead'],
  );
  // The latest probe's error is shown even while damping holds the verdict.
  assert.equal(states[1]?.lastError, 'connection refused');
  assert.equal(states[1]?.ready, true);
  assert.deepEqual(changes, ['unknown->healthy', 'healthy->dead']);
});

test('failure_threshold: a success in between restarts the count', () => {
  const { states } = run([answered(1, 0), DEAD, DEAD, answered(2, 0), DEAD, DEAD], settings({ failureThreshold: 3 }));
  assert.ok(states.every((s) => s.health === 'healthy'));
});

test('success_threshold: 2 good probes before a dead service is healthy again', () => {
  const { states, changes } = run([DEAD, answered(1, 0), answered(2, 0)], settings({ successThreshold: 2 }));
  assert.deepEqual(
    states.map((s) => s.health),
    ['dead', 'dead', 'healthy'],
  );
  assert.deepEqual(changes, ['unknown->dead', 'dead->healthy']);
});

test('changes within a class are not damped', () => {
  const { changes } = run([DEAD, HTTP_500, DEAD], settings({ failureThreshold: 5, successThreshold: 5 }));
  assert.deepEqual(changes, ['unknown->dead', 'dead->unhealthy', 'unhealthy->dead']);
  const good = run(
    [answered(100, 0), answered(200, 60), answered(300, 60)],
    settings({ successThreshold: 5, failureThreshold: 5 }),
  );
  assert.deepEqual(good.changes, ['unknown->healthy', 'healthy->degraded', 'degraded->healthy']);
});

test('readiness changes without a health change are reported', () => {
  // 200 with bad counters is unhealthy but ready; a 500 is unhealthy and not ready.
  const { changes, states } = run([{ kind: 'invalid_body', error: 'bad' }, HTTP_500]);
  assert.deepEqual(
    states.map((s) => [s.health, s.ready]),
    [
      ['unhealthy', true],
      ['unhealthy', false],
    ],
  );
  assert.deepEqual(changes, ['unknown->unhealthy', 'unhealthy->unhealthy']);
});

test('counters survive a failed probe; attributes follow the latest answer', () => {
  const { states } = run([
    answered(10, 1, { attributes: { v: '1' } }),
    DEAD,
    answered(20, 1, { attributes: { w: '2' } }),
  ]);
  assert.equal(states[1]?.sample?.requestCount, 10);
  assert.deepEqual(states[1]?.healthAttributes, { v: '1' });
  assert.deepEqual(states[2]?.healthAttributes, { w: '2' });
});

test('a monitor error changes nothing but last_error', () => {
  let state = applyProbe(INITIAL_STATE, settings(), result(answered(5, 0))).state;
  const applied = applyProbe(state, settings(), result({ kind: 'monitor_error', error: 'worker exited' }));
  state = applied.state;
  assert.equal(applied.change, null);
  assert.equal(state.health, 'healthy');
  assert.equal(state.lastError, 'monitor: worker exited');
});

test('badSince: set when the reported health turns bad, kept while it stays bad, cleared on recovery', () => {
  const { states } = run([answered(1, 0), DEAD, HTTP_500, answered(2, 0)]);
  assert.equal(states[0]?.badSince, null);
  const since = states[1]?.badSince;
  assert.equal(since, states[1]?.lastCheckedAt);
  assert.equal(states[2]?.badSince, since, 'dead → unhealthy is no break');
  assert.equal(states[3]?.badSince, null);
});

test('badSince follows the reported health: a damped failure does not start it', () => {
  const { states } = run([answered(1, 0), DEAD, DEAD], settings({ failureThreshold: 3 }));
  assert.deepEqual(
    states.map((s) => s.badSince),
    [null, null, null],
  );
});

test('an answer with the same attributes keeps the attributes object; any difference replaces it', () => {
  const { states } = run([
    answered(10, 0, { attributes: { v: '1', region: 'eu' } }),
    answered(11, 0, { attributes: { v: '1', region: 'eu' } }),
    answered(12, 0, { attributes: { region: 'eu', v: '1' } }),
    answered(13, 0, { attributes: { v: '2', region: 'eu' } }),
    answered(14, 0, { attributes: { v: '2' } }),
    answered(15, 0, { attributes: { v: '2', extra: '' } }),
  ]);
  const attributes = states.map((state) => state.healthAttributes);
  assert.equal(attributes[1], attributes[0]);
  // The same pairs in another order are another answer: the object keeps the order the service sent.
  assert.notEqual(attributes[2], attributes[1]);
  assert.deepEqual(Object.keys(attributes[2] ?? {}), ['region', 'v']);
  assert.deepEqual(attributes.slice(3), [{ v: '2', region: 'eu' }, { v: '2' }, { v: '2', extra: '' }]);
  for (const each of attributes) assert.ok(Object.isFrozen(each));
});

/** Like `run`, with each probe's duration given. */
function runTimed(probes: [ProbeOutcome, number][], serviceSettings: ServiceSettings): ServiceState[] {
  let state = INITIAL_STATE;
  return probes.map(([outcome, durationMs]) => {
    state = applyProbe(state, serviceSettings, { ...result(outcome), durationMs }).state;
    return state;
  });
}

test('degraded_latency_ms: a 200 slower than the limit is degraded, saying by how much', () => {
  const [slow, fast] = runTimed(
    [
      [answered(1, 0), 840.4],
      [answered(2, 0), 20],
    ],
    settings({ degradedLatencyMs: 500 }),
  );
  assert.equal(slow?.health, 'degraded');
  assert.equal(slow?.ready, true);
  assert.equal(slow?.reason, 'answered in 840 ms, over 500 ms');
  assert.equal(fast?.health, 'healthy');
  // Without the setting, or at exactly the limit, time does not count.
  assert.equal(runTimed([[answered(1, 0), 9000]], settings())[0]?.health, 'healthy');
  assert.equal(runTimed([[answered(1, 0), 500]], settings({ degradedLatencyMs: 500 }))[0]?.health, 'healthy');
});

test('degraded_latency_ms goes through the thresholds: so many slow answers to degrade, fast ones to recover', () => {
  const limits = settings({ degradedLatencyMs: 100, failureThreshold: 3, successThreshold: 2 });
  const healthOf = (probes: [ProbeOutcome, number][]) => runTimed(probes, limits).map((state) => state.health);
  const ok: [ProbeOutcome, number] = [answered(1, 0), 10];
  const slow: [ProbeOutcome, number] = [answered(1, 0), 300];
  assert.deepEqual(healthOf([ok, slow, slow, ok, slow, slow]), [
    'healthy',
    'healthy',
    'healthy',
    'healthy',
    'healthy',
    'healthy',
  ]);
  assert.deepEqual(healthOf([ok, slow, slow, slow, ok, slow, ok, ok]), [
    'healthy',
    'healthy',
    'healthy',
    'degraded',
    'degraded',
    'degraded',
    'degraded',
    'healthy',
  ]);
  // An error or a failure is judged as before: slowness never hides one.
  assert.deepEqual(healthOf([ok, [HTTP_500, 300], [HTTP_500, 300], [HTTP_500, 300]]).at(-1), 'unhealthy');
});
