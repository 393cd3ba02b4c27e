// The end-of-run reasons a soak fails: none for a clean run, and each problem named in its own sentence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChurnCounts } from './churn.js';
import type { GrowthVerdict } from './growth.js';
import { runFailures, type RunOutcome } from './verdict.js';

const FLAT: GrowthVerdict = {
  judged: true,
  growing: false,
  reason: 'memory is flat: …',
  samples: 20,
  slopeMbPerMin: 0.1,
  middleMedianMb: 200,
  lastMedianMb: 200,
  marginMb: 6,
};
const CLEAN_CHURN: ChurnCounts = {
  registrationsOk: 100,
  registrationsFailed: 0,
  deletionsOk: 90,
  deletionsFailed: 0,
  byStatus: { 201: 100, 204: 90 },
  serverErrors: 0,
  firstFailures: [],
};
const CLEAN: RunOutcome = {
  growth: FLAT,
  churn: CLEAN_CHURN,
  unanswered: 0,
  graceSec: 10,
  metricsReads: [
    { format: 'json', status: 200, ms: 5, bytes: 1000 },
    { format: 'prometheus', status: 200, ms: 20, bytes: 5000 },
  ],
  healthzFailed: 0,
  cycles: [
    {
      started_at: '2026-01-01T00:00:00.000Z',
      duration_ms: 100,
      services: 10,
      event_loop_utilization: 0.1,
      schedule_lag_ms: null,
    },
  ],
  monitorErrors: { count: 0, first: [] },
};

test('a clean run has no failures', () => {
  assert.deepEqual(runFailures(CLEAN), []);
});

test('each problem is its own reason', () => {
  const cases: [Partial<RunOutcome>, RegExp][] = [
    [
      { growth: { ...FLAT, growing: true, reason: 'memory keeps growing: RSS slope 3.00 MB/min' } },
      /^memory keeps growing: RSS slope 3\.00/,
    ],
    [{ growth: { ...FLAT, judged: false, reason: 'only 4 samples after the 120 s warm-up' } }, /^only 4 samples/],
    [
      {
        churn: {
          ...CLEAN_CHURN,
          registrationsFailed: 2,
          serverErrors: 2,
          firstFailures: ['POST /register churn-7 answered 503: …'],
        },
      },
      /^the churn got 2 answers of 5xx: POST \/register churn-7 answered 503/,
    ],
    [
      { churn: { ...CLEAN_CHURN, deletionsFailed: 1, firstFailures: ['DELETE /services/churn-3 answered 404: …'] } },
      /^1 churn requests failed without a 5xx: DELETE \/services\/churn-3 answered 404/,
    ],
    [{ unanswered: 3 }, /^3 churn requests had no answer 10 s after the churn stopped$/],
    [
      {
        metricsReads: [
          ...CLEAN.metricsReads,
          { format: 'prometheus', status: 500, ms: 3, bytes: 10 },
          { format: 'json', status: 0, ms: NaN, bytes: 0 },
        ],
      },
      /^2 GET \/metrics failed \(1 with 5xx; 500, no answer\)$/,
    ],
    [{ healthzFailed: 1 }, /^1 GET \/healthz failed$/],
    [{ cycles: [] }, /^no probing cycle completed during the soak$/],
    [
      { monitorErrors: { count: 1, first: ['{"level":50,"msg":"cycle failed"}'] } },
      /^the monitor logged 1 errors; the first:\n\{"level":50,"msg":"cycle failed"\}$/,
    ],
  ];
  for (const [change, reason] of cases) {
    const failures = runFailures({ ...CLEAN, ...change });
    assert.equal(failures.length, 1, `${Object.keys(change).join()}: ${failures.join(' | ')}`);
    assert.match(failures[0] ?? '', reason);
  }
});
