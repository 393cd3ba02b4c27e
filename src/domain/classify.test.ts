import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify } from './classify.js';
import { INITIAL_STATE } from './service-state.js';
import type { ProbeOutcome } from './probe.js';

const report = { uptimeSec: 10, requestCount: 100, errorCount: 5, attributes: {} };
const noCounters = { uptimeSec: null, requestCount: null, errorCount: null, attributes: {} };

type Classifiable = Exclude<ProbeOutcome, { kind: 'monitor_error' }>;
const rows: { name: string; outcome: Classifiable; rate: number; health: string; ready: boolean; error: boolean }[] = [
  {
    name: 'network failure',
    outcome: { kind: 'unreachable', error: 'connection refused (ECONNREFUSED)' },
    rate: 0,
    health: 'dead',
    ready: false,
    error: true,
  },
  {
    name: 'timeout',
    outcome: { kind: 'unreachable', error: 'timeout after 2000 ms' },
    rate: 0,
    health: 'dead',
    ready: false,
    error: true,
  },
  {
    name: 'HTTP 500',
    outcome: { kind: 'http_status', status: 500 },
    rate: 0,
    health: 'unhealthy',
    ready: false,
    error: true,
  },
  {
    name: 'HTTP 302 (redirects not followed)',
    outcome: { kind: 'http_status', status: 302 },
    rate: 0,
    health: 'unhealthy',
    ready: false,
    error: true,
  },
  {
    name: 'HTTP 204 is not 200',
    outcome: { kind: 'http_status', status: 204 },
    rate: 0,
    health: 'unhealthy',
    ready: false,
    error: true,
  },
  {
    name: '200 with unparseable body',
    outcome: { kind: 'invalid_body', error: 'body is not valid JSON' },
    rate: 0,
    health: 'unhealthy',
    ready: true,
    error: true,
  },
  {
    name: '200, rate above threshold',
    outcome: { kind: 'answered', report },
    rate: 0.21,
    health: 'degraded',
    ready: true,
    error: false,
  },
  {
    name: '200, rate exactly at threshold',
    outcome: { kind: 'answered', report },
    rate: 0.2,
    health: 'healthy',
    ready: true,
    error: false,
  },
  {
    name: '200, rate below threshold',
    outcome: { kind: 'answered', report },
    rate: 0.05,
    health: 'healthy',
    ready: true,
    error: false,
  },
  {
    name: '200, no counters at all',
    outcome: { kind: 'answered', report: noCounters },
    rate: 0,
    health: 'healthy',
    ready: true,
    error: false,
  },
];

for (const row of rows) {
  test(`classify: ${row.name} → ${row.health}, ready=${row.ready}`, () => {
    const observed = classify(row.outcome, row.rate, 0.2);
    assert.equal(observed.health, row.health);
    assert.equal(observed.ready, row.ready);
    assert.equal(observed.error !== null, row.error);
    assert.ok(observed.reason.length > 0);
  });
}

test('classify: degraded reason names the rate and the threshold', () => {
  const observed = classify({ kind: 'answered', report }, 0.35, 0.2);
  assert.equal(observed.reason, 'error rate 0.35 above threshold 0.2');
});

test('never probed → unknown and not ready', () => {
  assert.equal(INITIAL_STATE.health, 'unknown');
  assert.equal(INITIAL_STATE.ready, false);
  assert.equal(INITIAL_STATE.lastCheckedAt, null);
});
