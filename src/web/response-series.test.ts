import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketUpperMs, bucketOf, HOUR_MS, type HourAggregate } from '../domain/index.js';
import { CHART_RANGES, rangeStart, responseSeries, type ChartRange } from './response-series.js';

const NOW = 500_000 * HOUR_MS + 1234;

function hour(hourStart: number, ms: number, probes = 10): HourAggregate {
  return {
    serviceId: 's',
    hourStart,
    probes,
    successes: probes,
    totalResponseMs: ms * probes,
    histogram: { [String(bucketOf(ms))]: probes },
  };
}

test('every range covers its hours up to the current one, each bucket from the hours inside it', () => {
  const hours = Array.from({ length: 24 * 90 }, (_, i) => hour(rangeStart('90d', NOW) + i * HOUR_MS, 10 + (i % 24)));
  for (const range of Object.keys(CHART_RANGES) as ChartRange[]) {
    const series = responseSeries(hours, range, NOW);
    assert.equal(series.t.length, series.p50.length);
    assert.equal(series.t.length, series.p95.length);
    assert.equal(series.t[0], rangeStart(range, NOW) / 1000, range);
    const last = series.t[series.t.length - 1] ?? 0;
    assert.ok(last * 1000 <= NOW && NOW - last * 1000 < 24 * HOUR_MS, `${range}: the last bucket holds now`);
    for (const [index, p50] of series.p50.entries()) {
      const p95 = series.p95[index];
      assert.ok(p50 !== null && p95 !== null && p95 !== undefined && p50 <= p95, `${range}[${index}]`);
      assert.ok(p95 <= bucketUpperMs(bucketOf(33)), `${range}[${index}] p95 ${p95} above every probe`);
    }
  }
  assert.equal(responseSeries(hours, '24h', NOW).t.length, 24);
  assert.equal(responseSeries(hours, '90d', NOW).t.length, 90);
});

test('hours without probes are gaps, not zeros; hours outside the range are left out', () => {
  const series = responseSeries(
    [hour(rangeStart('24h', NOW) - HOUR_MS, 999), hour(NOW - (NOW % HOUR_MS), 50)],
    '24h',
    NOW,
  );
  assert.deepEqual(
    series.p95.slice(0, 23),
    Array.from({ length: 23 }, () => null),
  );
  assert.equal(series.p50[23], bucketUpperMs(bucketOf(50)));
});
