// The memory-growth rule on synthetic RSS series: what a healthy monitor looks like must pass, and a
// leak must fail, however the noise falls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_GROWTH_RULE, judgeGrowth, theilSenSlope, type GrowthRule, type RssPoint } from './growth.js';

/** The 10-minute default: a sample every 5 s, the first 120 s not judged. */
const RULE: GrowthRule = { ...DEFAULT_GROWTH_RULE, warmUpSec: 120 };
const DURATION_SEC = 600;
const EVERY_SEC = 5;

function series(rssAt: (tSec: number, index: number) => number): RssPoint[] {
  return Array.from({ length: DURATION_SEC / EVERY_SEC + 1 }, (_, i) => ({
    tSec: i * EVERY_SEC,
    rssMb: rssAt(i * EVERY_SEC, i),
  }));
}

/** Deterministic noise in [-1, 1): a linear congruential generator, so every run sees the same series. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state / 2 ** 31) * 2 - 1;
  };
}

test('a flat series passes', () => {
  const verdict = judgeGrowth(
    series(() => 150),
    RULE,
  );
  assert.equal(verdict.judged, true);
  assert.equal(verdict.growing, false, verdict.reason);
  assert.equal(verdict.slopeMbPerMin, 0);
  assert.match(verdict.reason, /^memory is flat/);
});

test('a flat series with garbage-collection noise of ±15 MB passes, whatever the seed', () => {
  for (const seed of [1, 2, 3, 42, 1234, 99_999]) {
    const next = noise(seed);
    const verdict = judgeGrowth(
      series(() => 150 + 15 * next()),
      RULE,
    );
    assert.equal(verdict.growing, false, `seed ${seed}: ${verdict.reason}`);
  }
});

test('a flat series with a few large spikes after the warm-up passes', () => {
  const verdict = judgeGrowth(
    series((t, i) => (i % 17 === 0 && t > 120 ? 260 : 150)),
    RULE,
  );
  assert.equal(verdict.growing, false, verdict.reason);
});

test('a steady leak of 3 MB/min fails, with or without noise', () => {
  const leak = (t: number): number => 150 + (3 * t) / 60;
  const clean = judgeGrowth(series(leak), RULE);
  assert.equal(clean.growing, true, clean.reason);
  assert.equal(clean.slopeMbPerMin, 3);
  assert.match(clean.reason, /^memory keeps growing: RSS slope 3\.00 MB\/min/);
  const next = noise(7);
  const noisy = judgeGrowth(
    series((t) => leak(t) + 10 * next()),
    RULE,
  );
  assert.equal(noisy.growing, true, noisy.reason);
});

test('a leak that is slower than the slope limit passes: the limit is the bar, not any rise at all', () => {
  const verdict = judgeGrowth(
    series((t) => 150 + (0.5 * t) / 60),
    RULE,
  );
  assert.equal(verdict.growing, false, verdict.reason);
});

test('a spike during the warm-up, then flat, passes', () => {
  // Registration and the first cycles: up to 400 MB, then down to a plateau at 180 MB.
  const verdict = judgeGrowth(
    series((t) => (t < 60 ? 100 + 5 * t : t < 120 ? 400 - (220 * (t - 60)) / 60 : 180)),
    RULE,
  );
  assert.equal(verdict.growing, false, verdict.reason);
  assert.equal(verdict.middleMedianMb, 180);
});

test('a rise after the warm-up that levels off passes: memory found its size', () => {
  // Rises 30 MB over the first third of the judged window, then stays.
  const verdict = judgeGrowth(
    series((t) => (t < 280 ? 150 + (30 * Math.max(0, t - 120)) / 160 : 180)),
    RULE,
  );
  assert.equal(verdict.growing, false, verdict.reason);
  assert.match(verdict.reason, /^memory rose, then levelled off/);
});

test('a series too short to judge is not judged, and says why', () => {
  const verdict = judgeGrowth(
    Array.from({ length: 30 }, (_, i) => ({ tSec: i * 5, rssMb: 150 })),
    RULE,
  );
  assert.equal(verdict.judged, false);
  assert.equal(verdict.slopeMbPerMin, null);
  assert.match(verdict.reason, /^only 6 samples after the 120 s warm-up, 9 needed/);
});

test('the Theil–Sen slope ignores one wild point that would tilt a least-squares fit', () => {
  const points: RssPoint[] = Array.from({ length: 11 }, (_, i) => ({ tSec: i, rssMb: i === 10 ? 1000 : 100 }));
  assert.equal(theilSenSlope(points), 0);
});
