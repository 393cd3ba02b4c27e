import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dueAt, earliestDueAt, intervalAnchor, isDue, joinEarlyMs, restoredScheduledAt } from './schedule.js';

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
  assert.equal(earliestDueAt([{ intervalMs: 3000, lastScheduledAt: 1000 }, { intervalMs: 1000, lastScheduledAt: null }]), -Infinity);
});

test('after a restart, services fall due spread over the next interval, each at a stable offset', () => {
  const now = 1_000_000;
  const due = Array.from({ length: 1000 }, (_, i) => dueAt({ intervalMs: 10_000, lastScheduledAt: restoredScheduledAt(`svc-${i}`, 10_000, now) }));
  assert.ok(due.every((at) => at >= now && at < now + 10_000));
  const perSecond = new Array<number>(10).fill(0);
  for (const at of due) perSecond[Math.floor((at - now) / 1000)]! += 1;
  assert.ok(perSecond.every((count) => count > 50 && count < 150), `uneven spread ${perSecond.join(',')}`);
  assert.equal(restoredScheduledAt('a', 10_000, now), restoredScheduledAt('a', 10_000, now));
});

test('a service may join a cycle up to 2% of its interval early, never more than 25 ms', () => {
  assert.equal(joinEarlyMs(1000), 20);
  assert.equal(joinEarlyMs(100), 2);
  assert.equal(joinEarlyMs(30_000), 25);
});

test('the next interval counts from the probe\'s real start, unless the target was never reached or the clock jumped', () => {
  assert.equal(intervalAnchor(1000, 1400, true), 1400);
  assert.equal(intervalAnchor(1000, 4000, true), 4000, 'a monitor behind: a late start is real');
  assert.equal(intervalAnchor(1000, 1400, false), 1000, 'a monitor error keeps the cycle');
  assert.equal(intervalAnchor(1000, 500, true), 1000, 'before its cycle');
  assert.equal(intervalAnchor(1000, 1000 + 86_400_001, true), 1000, 'a day after its cycle');
  assert.equal(intervalAnchor(null, 1400, true), null, 'never scheduled stays due');
});
