import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCounterReset, lifetimeErrorRate, recentErrorRate, type CounterSample } from './error-rate.js';

const sample = (requestCount: number, errorCount: number, uptimeSec: number | null = null): CounterSample => ({
  requestCount,
  errorCount,
  uptimeSec,
});

test('lifetime error rate', async (t) => {
  const cases: [CounterSample, number][] = [
    [sample(0, 0), 0],
    [sample(100, 0), 0],
    [sample(100, 25), 0.25],
    [sample(4, 4), 1],
  ];
  for (const [input, expected] of cases) {
    await t.test(`${input.errorCount}/${input.requestCount} → ${expected}`, () =>
      assert.equal(lifetimeErrorRate(input), expected),
    );
  }
});

test('recent error rate', async (t) => {
  const cases: { name: string; previous: CounterSample | null; current: CounterSample; expected: number | null }[] = [
    { name: 'first sample has no window', previous: null, current: sample(100, 50), expected: null },
    { name: 'delta between samples', previous: sample(100, 50, 10), current: sample(200, 60, 20), expected: 0.1 },
    { name: 'window without traffic', previous: sample(100, 5, 10), current: sample(100, 5, 20), expected: null },
    { name: 'all errors in window', previous: sample(100, 0), current: sample(110, 10), expected: 1 },
    {
      name: 'request counter went down: new values are the window',
      previous: sample(1000, 10, 500),
      current: sample(40, 20, 5),
      expected: 0.5,
    },
    { name: 'error counter went down: reset', previous: sample(100, 50), current: sample(150, 3), expected: 0.02 },
    {
      name: 'uptime went down with counters up: reset',
      previous: sample(10, 1, 100),
      current: sample(20, 10, 3),
      expected: 0.5,
    },
    { name: 'reset with no requests since', previous: sample(1000, 10, 500), current: sample(0, 0, 1), expected: null },
    {
      name: 'more new errors than new requests is capped at 1',
      previous: sample(100, 0),
      current: sample(101, 5),
      expected: 1,
    },
  ];
  for (const { name, previous, current, expected } of cases) {
    await t.test(name, () => assert.equal(recentErrorRate(previous, current), expected));
  }
});

test('counter reset detection ignores a missing uptime', () => {
  assert.equal(isCounterReset(sample(10, 1, null), sample(20, 2, 5)), false);
  assert.equal(isCounterReset(sample(10, 1, 50), sample(20, 2, null)), false);
  assert.equal(isCounterReset(sample(10, 1, 50), sample(20, 2, 49)), true);
});
