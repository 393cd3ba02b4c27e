// The soak's command line: the sizes by default, every size configurable, each bad value refused
// with its own message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../options.js';
import { parseSoakPlan } from './options.js';

test('defaults: 10 minutes, 2,000 services, 50 churns a second, a fifth of the run to warm up', () => {
  const plan = parseSoakPlan([]);
  assert.ok(plan);
  assert.deepEqual(
    [
      plan.durationSec,
      plan.services,
      plan.churnPerSec,
      plan.sampleSec,
      plan.growth.warmUpSec,
      plan.growth.maxSlopeMbPerMin,
      plan.growth.marginMb,
    ],
    [600, 2000, 50, 5, 120, 1, 5],
  );
  assert.match(plan.out, /bench\/results\/soak-latest\.json$/);
  assert.equal(parseSoakPlan(['--help']), null);
});

test('every size and threshold can be set', () => {
  const plan = parseSoakPlan([
    '--duration-sec',
    '30',
    '--services',
    '200',
    '--churn-per-sec',
    '10',
    '--warm-up-sec',
    '5',
    '--max-growth-mb-per-min',
    '2.5',
    '--out',
    '/tmp/x.json',
  ]);
  assert.ok(plan);
  assert.deepEqual(
    [plan.durationSec, plan.services, plan.churnPerSec, plan.growth.warmUpSec, plan.growth.maxSlopeMbPerMin, plan.out],
    [30, 200, 10, 5, 2.5, '/tmp/x.json'],
  );
  assert.equal(parseSoakPlan(['--duration-sec', '120'])?.growth.warmUpSec, 24, 'the warm-up follows the duration');
});

test('bad values are refused, each with its own message', () => {
  const cases: [string[], RegExp][] = [
    [['--duration-sec', 'soon'], /--duration-sec must be a whole number, not "soon"/],
    [['--duration-sec', '5'], /--duration-sec must be at least 10, not 5/],
    [['--services', '0'], /--services must be at least 1, not 0/],
    [
      ['--duration-sec', '60', '--warm-up-sec', '60'],
      /--warm-up-sec must be shorter than --duration-sec \(60\), not 60/,
    ],
    [['--poll-interval-sec', '1'], /--poll-interval-sec must be at least 2, not 1/],
    [['--poll-interval-sec', '60'], /--cycle-stall-sec must be longer than the poll interval \(60 s\), not 60/],
    [['--max-growth-mb-per-min=-1'], /--max-growth-mb-per-min must be a number of at least 0, not "-1"/],
    [['--growth-margin-mb', 'lots'], /--growth-margin-mb must be a number of at least 0, not "lots"/],
    [['--forever'], /Unknown option '--forever'/],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => parseSoakPlan(args),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
      args.join(' '),
    );
  }
});
