// The slow-target rule, case by case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlowTarget } from './slow-target.js';

test('a target is slow when its last probe took more than half its timeout', () => {
  const cases: readonly [lastResponseMs: number | null, timeoutMs: number, slow: boolean][] = [
    [null, 2000, false],
    [0, 2000, false],
    [1000, 2000, false],
    [1001, 2000, true],
    [6000, 2000, true],
    [30, 50, true],
  ];
  for (const [lastResponseMs, timeoutMs, slow] of cases) {
    assert.equal(isSlowTarget(lastResponseMs, timeoutMs), slow, `${lastResponseMs} ms of ${timeoutMs}`);
  }
});
