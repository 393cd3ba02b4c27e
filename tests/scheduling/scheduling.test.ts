// Timing semantics: per-service intervals, the concurrency cap, cycles that never wait for each other, bounded costs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Health } from '../../src/domain/index.js';
import { startHarness } from '../helpers/harness.js';
import { json, startTarget } from '../helpers/target.js';
import { sleep, waitFor } from '../helpers/wait.js';

const healthy = { uptime_sec: 1, request_count: 10, error_count: 0 };

function gaps(times: number[]): number[] {
  return times.slice(1).map((at, i) => at - (times[i] ?? at));
}

test('a 1 s service is polled about every second while a 3 s one is polled about every 3 s', async () => {
  const target = await startTarget((_req, res) => json(res, healthy));
  const harness = await startHarness();
  try {
    await harness.register('fast', `${target.url}/fast`, { pollIntervalSec: 1 });
    await harness.register('slow', `${target.url}/slow`, { pollIntervalSec: 3 });
    await sleep(6500);
    const times = (path: string): number[] => target.requests.filter((r) => r.path === path).map((r) => r.at);
    const fast = times('/fast/health');
    const slow = times('/slow/health');
    assert.ok(fast.length >= 6 && fast.length <= 8, `fast polled ${fast.length} times in 6.5 s`);
    assert.ok(slow.length >= 2 && slow.length <= 3, `slow polled ${slow.length} times in 6.5 s`);
    const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
    // Single gaps carry dispatch jitter on a busy machine; the mean shows the cadence.
    for (const gap of gaps(fast)) assert.ok(gap >= 800 && gap <= 1300, `fast gap ${gap} ms`);
    for (const gap of gaps(slow)) assert.ok(gap >= 2800 && gap <= 3300, `slow gap ${gap} ms`);
    assert.ok(Math.abs(mean(gaps(fast)) - 1000) < 100, `fast mean gap ${mean(gaps(fast))} ms`);
  } finally {
    await harness.stop();
    await target.close();
  }
});

test('50 targets of 300 ms every second: never more than 5 requests at once, never two of one service, and no cycle waits for another', async () => {
  const open = new Map<string, number>();
  let mostPerService = 0;
  const target = await startTarget((req, res) => {
    const path = req.url ?? '';
    open.set(path, (open.get(path) ?? 0) + 1);
    mostPerService = Math.max(mostPerService, open.get(path) ?? 0);
    res.on('close', () => open.set(path, (open.get(path) ?? 1) - 1));
    setTimeout(() => json(res, healthy), 300);
  });
  const harness = await startHarness({ maxConcurrency: 5, start: false });
  try {
    // A 1 s interval against ~3 s of probing for all 50: the monitor is always behind.
    for (let i = 0; i < 50; i++)
      await harness.register(`s${String(i).padStart(2, '0')}`, `${target.url}/s/${i}`, { pollIntervalSec: 1 });
    harness.start();
    await waitFor(() => harness.cycles.length >= 3, 'three cycles', 20_000);
    assert.equal(target.maxInFlight, 5, 'the cap is reached but never exceeded');
    assert.equal(mostPerService, 1, 'a service was probed twice at once');
    const [first, second] = harness.cycles;
    assert.ok(first && second);
    assert.equal(first.size, 50);
    assert.equal(first.applied, 50);
    assert.ok(first.durationMs >= 2900, `a cycle of 50 × 300 ms / 5 took only ${first.durationMs} ms`);
    // The last five probes wait for nine rounds of 300 ms before they start: the lag says so.
    assert.ok((first.scheduleLagMs?.max ?? 0) >= 2600, `max lag ${first.scheduleLagMs?.max} ms in a 3 s cycle`);
    assert.ok((first.scheduleLagMs?.p50 ?? 0) >= 1000, `median lag ${first.scheduleLagMs?.p50} ms`);
    // Services probed early in the first cycle are due again while it still runs: the next cycle
    // takes them then, without waiting for the first one's last probes.
    assert.ok(second.startedAt < first.startedAt + first.durationMs, 'the second cycle waited for the first to end');
    await waitFor(
      () =>
        Array.from({ length: 50 }, (_, i) => target.requests.filter((r) => r.path === `/s/${i}/health`).length).every(
          (n) => n >= 2,
        ),
      'every service probed twice',
      10_000,
    );
  } finally {
    await harness.stop();
    await target.close();
  }
});

test('MAX_CONCURRENCY below the thread cap is honoured across threads', async () => {
  const target = await startTarget((_req, res) => setTimeout(() => json(res, healthy), 100));
  // Asks for 5 threads (one is the default): the pool takes min(5, 2) = 2, sharing the counter.
  const harness = await startHarness({ maxConcurrency: 2, threads: 5, start: false });
  try {
    for (let i = 0; i < 12; i++) await harness.register(`c${i}`, `${target.url}/c/${i}`, { pollIntervalSec: 60 });
    harness.start();
    await waitFor(
      () => target.requests.length >= 12 && harness.cycles.some((c) => c.size === 12),
      'all probed in one cycle',
      10_000,
    );
    assert.equal(target.maxInFlight, 2);
  } finally {
    await harness.stop();
    await target.close();
  }
});

test('MAX_CONCURRENCY above the thread cap runs lanes inside workers, still capped', async () => {
  const target = await startTarget((_req, res) => setTimeout(() => json(res, healthy), 200));
  const harness = await startHarness({ maxConcurrency: 8, threads: 5 });
  try {
    for (let i = 0; i < 40; i++) await harness.register(`l${i}`, `${target.url}/l/${i}`, { pollIntervalSec: 60 });
    await waitFor(() => target.requests.length >= 40, 'all probed', 10_000);
    assert.ok(target.maxInFlight <= 8, `saw ${target.maxInFlight} in flight`);
    assert.ok(target.maxInFlight > 5, `lanes unused: only ${target.maxInFlight} in flight`);
  } finally {
    await harness.stop();
    await target.close();
  }
});

test('a hanging target costs at most timeout × (retries + 1) and does not hold up others', async () => {
  const hanging = await startTarget(() => undefined);
  const fine = await startTarget((_req, res) => json(res, healthy));
  const harness = await startHarness({
    defaults: { probeTimeoutMs: 300, probeRetries: 2, pollIntervalMs: 60_000 },
    start: false,
  });
  try {
    // Both in the same cycle: the hanging probe must not delay the other one.
    await harness.register('hangs', hanging.url);
    await harness.register('fine', fine.url);
    harness.start();
    const fineRecord = await harness.waitForService('fine', (r) => r.state.health === 'healthy', 'healthy');
    const record = await harness.waitForService('hangs', (r) => r.state.health === 'dead', 'dead');
    assert.equal(hanging.requests.length, 3, 'one attempt and two retries');
    const cost = record.state.lastResponseMs ?? 0;
    assert.ok(cost >= 900 && cost < 1300, `the hanging probe cost ${cost} ms`);
    assert.match(record.state.lastError ?? '', /timeout after 300 ms/);
    const cycleStart = harness.cycles[0]?.startedAt ?? 0;
    assert.ok((fineRecord.state.lastCheckedAt ?? Infinity) - cycleStart < 200, 'the fine service was held up');
  } finally {
    await harness.stop();
    await hanging.close();
    await fine.close();
  }
});

test('a new registration wakes a sleeping scheduler', async () => {
  const target = await startTarget((_req, res) => json(res, healthy));
  const harness = await startHarness();
  try {
    await harness.register('first', `${target.url}/first`, { pollIntervalSec: 3600 });
    await harness.waitForService('first', () => true, 'probed');
    await sleep(100);
    const registeredAt = Date.now();
    await harness.register('second', `${target.url}/second`, { pollIntervalSec: 3600 });
    const record = await harness.waitForService('second', () => true, 'probed', 2000);
    assert.ok((record.state.lastCheckedAt ?? Infinity) - registeredAt < 500);
  } finally {
    await harness.stop();
    await target.close();
  }
});

test('a service deleted mid-cycle is not resurrected by its result', async () => {
  let release: () => void = () => undefined;
  const target = await startTarget((_req, res) => {
    release = () => json(res, healthy);
  });
  const harness = await startHarness();
  try {
    await harness.register('gone', target.url);
    await waitFor(() => target.requests.length === 1, 'the probe to reach the target');
    assert.equal(await harness.store.deregister('gone'), true);
    release();
    await waitFor(() => harness.cycles.length >= 1, 'the cycle to end');
    assert.equal(harness.store.get('gone'), undefined);
    assert.equal(harness.cycles[0]?.applied, 0);
  } finally {
    await harness.stop();
    await target.close();
  }
});

test('a service re-registered mid-cycle is not overwritten by the old result', async () => {
  // The first answer (in flight during the re-registration) is a 500; later answers are healthy.
  const target = await startTarget((_req, res, index) => {
    if (index === 0) setTimeout(() => json(res, { error: 'old' }, 500), 400);
    else json(res, healthy);
  });
  const harness = await startHarness();
  try {
    await harness.register('moved', target.url, { pollIntervalSec: 60 });
    await waitFor(() => target.requests.length === 1, 'the first probe to reach the target');
    await harness.register('moved', target.url, { pollIntervalSec: 60, attributes: { v: '2' } });
    await harness.waitForService('moved', (r) => r.state.health === 'healthy', 'healthy after re-registration');
    await sleep(100);
    const seen: Health[] = harness.transitions.filter((t) => t.serviceId === 'moved').map((t) => t.to.health);
    assert.deepEqual(seen, ['healthy'], 'the stale 500 was never applied');
  } finally {
    await harness.stop();
    await target.close();
  }
});
