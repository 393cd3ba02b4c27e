import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accumulate, HOUR_MS, summarise, uptimeWindows, type HourAggregate } from './hour-aggregate.js';
import { bucketOf, bucketUpperMs, mergeHistograms, quantileMs } from './response-histogram.js';

test('histogram buckets are about 10% wide and p95 over-estimates by at most that', () => {
  for (const ms of [1, 2, 7, 50, 123, 999, 2000, 60_000]) {
    const upper = bucketUpperMs(bucketOf(ms));
    assert.ok(upper >= ms - 0.5 && upper <= ms * 1.1 + 1, `${ms} ms → bucket upper ${upper}`);
  }
  const histogram: Record<string, number> = {};
  for (let ms = 1; ms <= 100; ms++) {
    const key = String(bucketOf(ms));
    histogram[key] = (histogram[key] ?? 0) + 1;
  }
  const p95 = quantileMs(histogram, 0.95);
  assert.ok(p95 !== null && p95 >= 95 && p95 <= 105, `p95 ${p95}`);
  assert.equal(quantileMs({}, 0.95), null);
  assert.deepEqual(mergeHistograms([{ '3': 1 }, { '3': 2, '5': 1 }]), { '3': 3, '5': 1 });
});

test('probes accumulate per hour; a new hour starts a new aggregate', () => {
  const t0 = 10 * HOUR_MS;
  let hour = accumulate(undefined, 's', t0 + 5, 10, true);
  hour = accumulate(hour, 's', t0 + 1000, 30, false);
  assert.deepEqual([hour.hourStart, hour.probes, hour.successes, hour.totalResponseMs], [t0, 2, 1, 40]);
  const next = accumulate(hour, 's', t0 + HOUR_MS, 5, true);
  assert.deepEqual([next.hourStart, next.probes], [t0 + HOUR_MS, 1]);
});

test('uptime windows use only the hours inside each window', () => {
  const now = 10_000 * HOUR_MS + 1234;
  const hourAgo = (n: number, probes: number, successes: number): HourAggregate => ({
    serviceId: 's',
    hourStart: Math.floor(now / HOUR_MS) * HOUR_MS - n * HOUR_MS,
    probes,
    successes,
    totalResponseMs: probes * 10,
    histogram: { [String(bucketOf(10))]: probes },
  });
  // Current hour all up; 2 days ago half down; 10 days ago all down; 100 days ago all down.
  const hours = [hourAgo(100 * 24, 100, 0), hourAgo(10 * 24, 100, 0), hourAgo(48, 100, 50), hourAgo(0, 100, 100)];
  const windows = uptimeWindows(hours, now);
  assert.equal(windows['24h'].uptime_percent, 100);
  assert.equal(windows['7d'].uptime_percent, 75);
  assert.equal(windows['30d'].uptime_percent, 50);
  assert.equal(windows['1y'].uptime_percent, 37.5);
  assert.equal(windows['1y'].probes, 400);
  assert.equal(windows['24h'].mean_response_ms, 10);
  assert.equal(windows['24h'].p95_response_ms, bucketUpperMs(bucketOf(10)));
  assert.deepEqual(summarise([]), {
    probes: 0,
    successes: 0,
    uptime_percent: null,
    mean_response_ms: null,
    p95_response_ms: null,
  });
});
