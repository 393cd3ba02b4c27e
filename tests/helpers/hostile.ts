// One hostile target probed in the same cycles as a well-behaved one, by the monitor's real core
// (store, scheduler, Piscina pool, probe workers), and the checks that the monitor came through unharmed.
import assert from 'node:assert/strict';
import { outcomeTotal, type CycleEvent } from '../../src/store/events.js';
import type { ServiceRecord } from '../../src/store/service-record.js';
import { startHarness } from './harness.js';
import { json, startTarget } from './target.js';
import { waitFor } from './wait.js';

export const INTERVAL_MS = 800;
export const TIMEOUT_MS = 300;
export const RETRIES = 1;
/** The longest a probe may take: every attempt timing out. */
export const WORST_PROBE_MS = TIMEOUT_MS * (RETRIES + 1);
/** Room for a busy 2-core machine; far less than any unbounded probe would take. */
export const SLACK_MS = 300;

export interface Watch {
  /** The hostile service once the cycles ran. */
  readonly hostile: ServiceRecord;
  readonly steady: ServiceRecord;
  readonly cycles: readonly CycleEvent[];
  /** When each probe reached the well-behaved target (epoch ms). */
  readonly steadyProbeTimes: readonly number[];
}

/**
 * Registers a well-behaved target and `hostileUrl` before the first cycle, so every cycle probes the
 * two side by side, lets `cycles` cycles run, and stops the monitor's core.
 */
export async function watchAlongsideSteady(hostileUrl: string, cycles = 3): Promise<Watch> {
  const steadyTarget = await startTarget((_req, res) =>
    json(res, { uptime_sec: 1, request_count: 10, error_count: 0 }),
  );
  const harness = await startHarness({
    start: false,
    defaults: { pollIntervalMs: INTERVAL_MS, probeTimeoutMs: TIMEOUT_MS, probeRetries: RETRIES },
  });
  try {
    await harness.register('steady', steadyTarget.url);
    await harness.register('hostile', hostileUrl);
    harness.start();
    await waitFor(
      () => harness.cycles.length >= cycles,
      `${cycles} cycles`,
      cycles * INTERVAL_MS + WORST_PROBE_MS + 3000,
    );
    const hostile = harness.store.get('hostile');
    const steady = harness.store.get('steady');
    assert.ok(hostile && steady);
    return {
      hostile,
      steady,
      cycles: harness.cycles.slice(0, cycles),
      steadyProbeTimes: steadyTarget.requests.slice(0, cycles).map((r) => r.at),
    };
  } finally {
    await harness.stop();
    await steadyTarget.close();
  }
}

/**
 * The monitor kept working: every cycle probed both targets and ended within the worst a probe may
 * take (the hostile target cost at most its timeouts), no probe worker failed, and the well-behaved
 * target was probed every interval, healthy.
 */
export function assertMonitorUnharmed(watch: Watch): void {
  for (const cycle of watch.cycles) {
    assert.equal(cycle.size, 2, 'both services in every cycle');
    assert.equal(cycle.applied, 2, 'both results applied');
    assert.equal(outcomeTotal(cycle.outcomes, 'monitor_error'), 0, 'no probe worker failed');
    assert.ok(cycle.durationMs <= WORST_PROBE_MS + SLACK_MS, `a cycle took ${cycle.durationMs} ms`);
  }
  const times = watch.steadyProbeTimes;
  assert.equal(times.length, watch.cycles.length, 'the well-behaved target was probed in every cycle');
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
    assert.ok(
      gap >= INTERVAL_MS - SLACK_MS && gap <= INTERVAL_MS + SLACK_MS,
      `the well-behaved target was probed ${gap} ms after the previous probe`,
    );
  }
  assert.equal(watch.steady.state.health, 'healthy');
}
