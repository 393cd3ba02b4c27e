import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY_MS, type DayUptime } from '../domain/index.js';
import { encodeBar } from './uptime-bar.js';

test('a bar is its first date and one uptime:transitions entry per day, blanks for no data', () => {
  const start = Date.UTC(2026, 8, 10);
  const days: DayUptime[] = [
    { dayStart: start, probes: 0, successes: 0, transitions: null },
    { dayStart: start + DAY_MS, probes: 3, successes: 2, transitions: 2 },
    { dayStart: start + 2 * DAY_MS, probes: 100_000, successes: 99_999, transitions: 0 },
  ];
  assert.deepEqual(encodeBar(days), { start: '2026-09-10', days: ':,6666:2,9999:0' });
  assert.deepEqual(encodeBar([]), { start: '', days: '' });
});
