import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Health } from '../domain/index.js';
import { countHealth, overallOf } from './overall.js';

const of = (...healths: Health[]) => overallOf(countHealth(healths));

test('the banner: operational, degraded, then partial and major outage by the share of known services down', () => {
  assert.equal(of(), 'operational');
  assert.equal(of('healthy', 'unknown'), 'operational');
  assert.equal(of('healthy', 'degraded'), 'degraded');
  assert.equal(of('healthy', 'healthy', 'healthy', 'dead'), 'partial_outage');
  assert.equal(of('healthy', 'unhealthy'), 'major_outage');
  assert.equal(of('dead', 'unknown', 'unknown', 'unknown'), 'major_outage');
});

test('property: any down service is an outage, and adding a healthy one never makes it worse', () => {
  const healths: Health[] = ['healthy', 'degraded', 'unhealthy', 'dead', 'unknown'];
  const rank = { operational: 0, degraded: 1, partial_outage: 2, major_outage: 3 } as const;
  for (let seed = 1; seed < 500; seed++) {
    const list = Array.from({ length: seed % 13 }, (_, i) => healths[(seed * 7 + i * 3) % 5] ?? 'unknown');
    const verdict = of(...list);
    const down = list.some((health) => health === 'unhealthy' || health === 'dead');
    assert.equal(verdict === 'partial_outage' || verdict === 'major_outage', down, list.join());
    assert.ok(rank[of(...list, 'healthy')] <= rank[verdict], list.join());
  }
});
