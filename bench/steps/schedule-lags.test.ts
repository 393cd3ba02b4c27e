import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lagsFromArrivals } from './schedule-lags.js';

test('a probe is late by its gap after the previous probe of its service, less the interval', () => {
  const arrivals: [string, number][] = [
    ['/s/1/health', 1000],
    ['/s/2/health', 1003],
    ['/s/1/health', 2010],
    ['/s/2/health', 2001],
    ['/s/1/health', 3100],
  ];
  // s/1: 1010 → 10 late, then 1090 → 90 late; s/2: 998 → early, counted as 0.
  assert.deepEqual(
    lagsFromArrivals(arrivals, 1000).sort((a, b) => a - b),
    [0, 10, 90],
  );
});

test('the first probe of each service in the window has no previous one: no lag is made up for it', () => {
  assert.deepEqual(
    lagsFromArrivals(
      [
        ['/s/1/health', 5],
        ['/s/2/health', 7],
      ],
      1000,
    ),
    [],
  );
});
