import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dependencyCycle, impactedBy } from './dependencies.js';

test('impacted by the listed dependencies that are unhealthy or dead; unknown ids and good ones are not', () => {
  const health = new Map([
    ['db', 'dead'],
    ['auth', 'healthy'],
    ['cache', 'unhealthy'],
    ['queue', 'degraded'],
  ] as const);
  assert.deepEqual(
    impactedBy(['db', 'auth', 'cache', 'queue', 'not-yet'], (id) => health.get(id as never)),
    ['db', 'cache'],
  );
  assert.deepEqual(
    impactedBy(undefined, () => 'dead'),
    [],
  );
});

test('a registration that closes a loop is named by its path; one that does not passes', () => {
  const lists = new Map<string, string[]>([
    ['b', ['c']],
    ['c', ['a', 'd']],
    ['d', []],
  ]);
  const of = (id: string) => lists.get(id);
  assert.deepEqual(dependencyCycle('a', ['b'], of), ['a', 'b', 'c', 'a']);
  assert.deepEqual(dependencyCycle('a', ['a'], of), ['a', 'a']);
  assert.equal(dependencyCycle('a', ['d', 'unknown'], of), null);
  assert.equal(dependencyCycle('x', ['b'], of), null, 'a loop that does not pass through x is not x’s');
});
