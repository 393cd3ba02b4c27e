import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceRollup } from '../domain/index.js';
import { RollupCache } from './rollup-cache.js';

const rollup = (probes: number): ServiceRollup => ({
  days: [],
  windows: {
    '24h': { probes, successes: probes },
    '7d': { probes, successes: probes },
    '30d': { probes, successes: probes },
  },
});

test('a rollup is loaded once per minute per service, only the missing ones in one call, and forgotten on demand', async () => {
  let now = 0;
  const calls: string[][] = [];
  let version = 1;
  const cache = new RollupCache(
    async (ids) => {
      calls.push([...ids]);
      return new Map(ids.map((id) => [id, rollup(version)]));
    },
    () => now,
    1000,
  );
  assert.equal((await cache.get(['a', 'b'])).get('a')?.windows['24h'].probes, 1);
  version = 2;
  now = 500;
  const again = await cache.get(['a', 'b', 'c']);
  assert.deepEqual(calls, [['a', 'b'], ['c']]);
  assert.equal(again.get('a')?.windows['24h'].probes, 1, 'still held');
  assert.equal(again.get('c')?.windows['24h'].probes, 2);
  now = 1000;
  assert.equal((await cache.get(['a'])).get('a')?.windows['24h'].probes, 2, 'expired, loaded again');
  cache.forget('c');
  await cache.get(['c']);
  assert.deepEqual(calls.at(-1), ['c']);
});
