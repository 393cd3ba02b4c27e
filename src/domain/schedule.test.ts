import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dueAt,
  earliestDueAt,
  intervalAnchor,
  isDue,
  joinEarlyMs,
  lastProbeStartedAt,
  RESTART_SPREAD_MS,
  restoredDueAt,
  restoredScheduledAt,
  staleAfter,
} from './schedule.js';

test('never scheduled is due at once', () => {
  assert.equal(isDue({ intervalMs: 5000, lastScheduledAt: null }, 0), true);
});

test('due exactly when the interval has passed since the last schedule', () => {
  const service = { intervalMs: 5000, lastScheduledAt: 10_000 };
  assert.equal(isDue(service, 14_999), false);
  assert.equal(isDue(service, 15_000), true);
});

test('earliest due time over services with different intervals', () => {
  assert.equal(earliestDueAt([]), null);
  assert.equal(
    earliestDueAt([
      { intervalMs: 3000, lastScheduledAt: 1000 },
      { intervalMs: 1000, lastScheduledAt: 1500 },
    ]),
    2500,
  );
  assert.equal(
    earliestDueAt([
      { intervalMs: 3000, lastScheduledAt: 1000 },
      { intervalMs: 1000, lastScheduledAt: null },
    ]),
    -Infinity,
  );
});

test('after a restart, a service is next due one interval after its last probe began, never later', () => {
  const now = 1_000_000;
  const cases: { name: string; intervalMs: number; lastStartedAt: number | null; due: number | 'spread' }[] = [
    { name: 'probed just before the restart', intervalMs: 60_000, lastStartedAt: now - 5000, due: now + 55_000 },
    {
      name: 'a daily interval, probed an hour ago',
      intervalMs: 86_400_000,
      lastStartedAt: now - 3_600_000,
      due: now + 82_800_000,
    },
    { name: 'due 1 ms after start', intervalMs: 60_000, lastStartedAt: now - 59_999, due: now + 1 },
    { name: 'due exactly at start: overdue', intervalMs: 60_000, lastStartedAt: now - 60_000, due: 'spread' },
    { name: 'overdue by days', intervalMs: 60_000, lastStartedAt: now - 5 * 86_400_000, due: 'spread' },
    { name: 'never probed', intervalMs: 60_000, lastStartedAt: null, due: 'spread' },
    {
      name: 'a last probe in the future: the clock went back',
      intervalMs: 60_000,
      lastStartedAt: now + 3_600_000,
      due: now + 60_000,
    },
  ];
  for (const { name, intervalMs, lastStartedAt, due } of cases) {
    const at = restoredDueAt('svc', intervalMs, lastStartedAt, now);
    if (due === 'spread') {
      assert.ok(at >= now && at < now + Math.min(intervalMs, RESTART_SPREAD_MS), `${name}: ${at - now} ms after start`);
    } else {
      assert.equal(at, due, name);
    }
  }
});

test('overdue and never-probed services are spread over min(interval, 500 ms) after start, each at a stable offset', () => {
  const now = 1_000_000;
  for (const intervalMs of [60_000, 400]) {
    const window = Math.min(intervalMs, RESTART_SPREAD_MS);
    const due = Array.from({ length: 1000 }, (_, i) =>
      restoredDueAt(`svc-${i}`, intervalMs, i % 2 === 0 ? null : now - 10 * intervalMs, now),
    );
    assert.ok(
      due.every((at) => at >= now && at < now + window),
      `interval ${intervalMs}: all within ${window} ms`,
    );
    const perTenth = new Array<number>(10).fill(0);
    for (const at of due) perTenth[Math.floor(((at - now) / window) * 10)]! += 1;
    assert.ok(
      perTenth.every((count) => count > 50 && count < 150),
      `interval ${intervalMs}: uneven spread ${perTenth.join(',')}`,
    );
  }
  assert.equal(restoredDueAt('a', 60_000, null, now), restoredDueAt('a', 60_000, null, now));
});

test('the last probe began at its finish less its duration; the store keeps the due time less one interval', () => {
  assert.equal(lastProbeStartedAt({ lastCheckedAt: 10_000, lastResponseMs: 1234 }), 8766);
  assert.equal(lastProbeStartedAt({ lastCheckedAt: null, lastResponseMs: null }), null);
  const now = 100_000;
  const last = { lastCheckedAt: 90_000, lastResponseMs: 2000 };
  assert.equal(restoredScheduledAt('x', 60_000, last, now), 88_000);
  assert.equal(dueAt({ intervalMs: 60_000, lastScheduledAt: restoredScheduledAt('x', 60_000, last, now) }), 148_000);
});

test('stale 2 × interval + timeout after the last probe finished, or after registration if never probed', () => {
  const cases: {
    name: string;
    lastCheckedAt: number | null;
    registeredAt: number;
    intervalMs: number;
    timeoutMs: number;
    staleAt: number;
  }[] = [
    { name: 'probed', lastCheckedAt: 50_000, registeredAt: 0, intervalMs: 60_000, timeoutMs: 2000, staleAt: 172_000 },
    {
      name: 'never probed',
      lastCheckedAt: null,
      registeredAt: 7000,
      intervalMs: 10_000,
      timeoutMs: 500,
      staleAt: 27_500,
    },
  ];
  for (const { name, lastCheckedAt, registeredAt, intervalMs, timeoutMs, staleAt } of cases) {
    assert.equal(staleAfter(lastCheckedAt, registeredAt, intervalMs, timeoutMs), staleAt, name);
  }
});

test('a service may join a cycle up to 2% of its interval early, never more than 25 ms', () => {
  assert.equal(joinEarlyMs(1000), 20);
  assert.equal(joinEarlyMs(100), 2);
  assert.equal(joinEarlyMs(30_000), 25);
});

test("the next interval counts from the probe's real start, unless the target was never reached or the clock jumped", () => {
  assert.equal(intervalAnchor(1000, 1400, true), 1400);
  assert.equal(intervalAnchor(1000, 4000, true), 4000, 'a monitor behind: a late start is real');
  assert.equal(intervalAnchor(1000, 1400, false), 1000, 'a monitor error keeps the cycle');
  assert.equal(intervalAnchor(1000, 500, true), 1000, 'before its cycle');
  assert.equal(intervalAnchor(1000, 1000 + 86_400_001, true), 1000, 'a day after its cycle');
  assert.equal(intervalAnchor(null, 1400, true), null, 'never scheduled stays due');
});
