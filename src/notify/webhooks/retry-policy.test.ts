import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelayMs, isRetryableStatus, parseRetryAfter } from './retry-policy.js';

test('408, 429 and 5xx are retried; redirects and other client errors are not', () => {
  for (const status of [408, 429, 500, 502, 503, 504, 599])
    assert.equal(isRetryableStatus(status), true, String(status));
  for (const status of [301, 302, 307, 400, 401, 403, 404, 410, 413, 422])
    assert.equal(isRetryableStatus(status), false, String(status));
});

test('full jitter: a uniform wait below a ceiling that doubles per retry up to the cap', () => {
  const almostOne = { baseMs: 500, capMs: 60_000, random: () => 0.999999 };
  assert.deepEqual(
    [1, 2, 3, 4, 8, 20].map((retry) => backoffDelayMs(retry, almostOne, null)),
    [499, 999, 1999, 3999, 59_999, 59_999],
  );
  assert.equal(backoffDelayMs(3, { ...almostOne, random: () => 0 }, null), 0);
  assert.equal(backoffDelayMs(3, { ...almostOne, random: () => 0.5 }, null), 1000);
});

test('Retry-After is honoured within the cap', () => {
  const backoff = { baseMs: 500, capMs: 60_000, random: () => 0.5 };
  assert.equal(backoffDelayMs(1, backoff, 7000), 7000);
  assert.equal(backoffDelayMs(1, backoff, 3_600_000), 60_000);
  assert.equal(backoffDelayMs(1, backoff, 0), 0);
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0);
  assert.equal(parseRetryAfter(null, now), null);
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0, 'a date in the past means now');
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(parseRetryAfter('-5', now), null);
});
