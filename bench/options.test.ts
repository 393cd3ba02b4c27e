// The bench's command line: the default and quick sizes, and a clear error for each bad value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePlan, UsageError } from './options.js';

test('defaults are the issue sizes; --quick the smoke sizes; flags override either', () => {
  assert.deepEqual(
    [parsePlan([])?.sizes.services, parsePlan([])?.sizes.largeServices, parsePlan([])?.sizes.scheduleServices],
    [10_000, 100_000, 1000],
  );
  const quick = parsePlan(['--quick', '--services', '300']);
  assert.equal(quick?.sizes.services, 300);
  assert.equal(quick?.sizes.largeServices, 2000);
  assert.equal(quick?.quick, true);
  assert.equal(parsePlan(['--load-services', '500'])?.sizes.loadServices, 500);
  assert.equal(parsePlan(['--quick'])?.sizes.loadServices, 200);
  assert.equal(parsePlan([])?.sizes.protocolServices, 1000);
  assert.equal(parsePlan(['--quick'])?.sizes.protocolServices, 50);
  assert.equal(parsePlan(['--protocol-services', '50'])?.sizes.protocolServices, 50);
  assert.equal(parsePlan(['--help']), null);
});

test('every step runs by default; --only picks some, and a --skip flag leaves one out of either', () => {
  const steps = (args: string[]): string[] => [...(parsePlan(args)?.steps ?? [])];
  assert.deepEqual(steps([]), ['registry', 'schedule', 'large', 'day', 'load', 'protocols']);
  assert.deepEqual(steps(['--skip-100k', '--skip-day', '--skip-load', '--skip-protocols']), ['registry', 'schedule']);
  assert.deepEqual(steps(['--only', 'load']), ['load']);
  assert.deepEqual(steps(['--only', 'protocols']), ['protocols']);
  assert.deepEqual(steps(['--only', 'schedule,load', '--skip-load']), ['schedule']);
});

test('bad values are refused, each with its own message', () => {
  const cases: [string[], RegExp][] = [
    [['--services', 'lots'], /--services must be a whole number, not "lots"/],
    [['--services', '5'], /--services must be at least 10, not 5/],
    [['--large-services=-3'], /--large-services must be a whole number, not "-3"/],
    [['--schedule-services', '0'], /--schedule-services must be at least 1, not 0/],
    [['--load-services', '0'], /--load-services must be at least 1, not 0/],
    [['--protocol-services', '0'], /--protocol-services must be at least 1, not 0/],
    [['--only', 'load,cycle'], /--only takes steps among registry, schedule, large, day, load, protocols, not "cycle"/],
    [['--fast'], /Unknown option '--fast'/],
  ];
  for (const [args, message] of cases)
    assert.throws(
      () => parsePlan(args),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
      args.join(' '),
    );
});
