import assert from 'node:assert/strict';
import { test } from 'node:test';
import { earliestDueAt, isDue } from './schedule.js';

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
