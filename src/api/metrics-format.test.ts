import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROMETHEUS_SCRAPER_ACCEPT } from '../../tests/helpers/prometheus.js';
import { ApiError } from './errors.js';
import { formatFromAccept, metricsFormat, parseAccept } from './metrics-format.js';

test('Accept headers choose the format by preference, JSON on ties and when nothing matches', () => {
  const cases: [string | undefined, 'json' | 'prometheus'][] = [
    [PROMETHEUS_SCRAPER_ACCEPT, 'prometheus'],
    ['text/plain', 'prometheus'],
    ['text/plain;version=0.0.4', 'prometheus'],
    ['application/openmetrics-text', 'prometheus'],
    ['TEXT/PLAIN', 'prometheus'],
    ['text/*', 'prometheus'],
    ['application/json;q=0.5, text/plain', 'prometheus'],
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['application/*', 'json'],
    ['application/json, text/plain', 'json'],
    ['text/plain;q=0.5, application/json', 'json'],
    ['text/plain;q=0, */*', 'json'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'json'],
    ['text/html', 'json'],
    ['application/json;q=0, text/plain;q=0, */*', 'json'],
    ['garbage, text/plain;q=nope', 'json'],
  ];
  for (const [accept, format] of cases) assert.equal(formatFromAccept(accept), format, `Accept: ${String(accept)}`);
});

test('parseAccept reads q, lower-cases types and skips malformed ranges', () => {
  assert.deepEqual(parseAccept('Text/Plain; version=0.0.4; q=0.5, nonsense, */*;q=0.1, a/b;q=2'), [
    { type: 'text', subtype: 'plain', q: 0.5 },
    { type: '*', subtype: '*', q: 0.1 },
  ]);
});

test('?format= wins over Accept; an unknown value is a 400 naming the choices', () => {
  assert.equal(metricsFormat('prometheus', 'application/json'), 'prometheus');
  assert.equal(metricsFormat('json', 'text/plain'), 'json');
  assert.equal(metricsFormat(undefined, 'text/plain'), 'prometheus');
  for (const bad of ['xml', '', 'Prometheus']) {
    assert.throws(
      () => metricsFormat(bad, undefined),
      (error: unknown) =>
        error instanceof ApiError &&
        error.status === 400 &&
        error.code === 'invalid_query' &&
        error.details[0]?.field === 'format' &&
        error.details[0].message === `must be one of json, prometheus, not "${bad}"`,
      `format=${bad}`,
    );
  }
});
