// The probe pool on its own: results as they come, overlapping calls, abandoning a call, a dying thread, bad options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeJob, ProbeResult } from '../../src/domain/index.js';
import { PoolProber } from '../../src/scheduler/pool-prober.js';
import { json, startTarget } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';

const job = (serviceId: string, url: string, timeoutMs = 1000): ProbeJob => ({
  serviceId,
  generation: 1,
  url,
  healthPath: '/health',
  timeoutMs,
  retries: 0,
  dueAt: 0,
  slow: false,
});

test('results come back as they come: a hanging probe holds back nothing, not even its own batch', async () => {
  const hanging = await startTarget(() => undefined);
  const fine = await startTarget((_req, res) => json(res, { uptime_sec: 1 }));
  const prober = new PoolProber({ maxConcurrency: 5, threads: 1 });
  try {
    await prober.warmUp();
    // Five jobs make batches of two: [hangs, f1], [f2, f3], [f4].
    const jobs = [job('hangs', hanging.url), ...[1, 2, 3, 4].map((i) => job(`f${i}`, `${fine.url}/f${i}`))];
    const arrivals: string[] = [];
    const call = prober.probeAll(
      jobs,
      (results) => arrivals.push(...results.map((r) => r.serviceId)),
      new AbortController().signal,
    );
    await waitFor(() => arrivals.length === 4, 'the four answers, while the hanging probe is still out');
    assert.deepEqual([...arrivals].sort(), ['f1', 'f2', 'f3', 'f4']);
    await call;
    assert.deepEqual(arrivals.at(-1), 'hangs');
  } finally {
    await prober.close();
    await hanging.close();
    await fine.close();
  }
});

test('calls overlap: a second call runs while the first still waits for a hanging probe', async () => {
  const hanging = await startTarget(() => undefined);
  const fine = await startTarget((_req, res) => json(res, { uptime_sec: 1 }));
  const prober = new PoolProber({ maxConcurrency: 2, threads: 1 });
  try {
    const first: ProbeResult[] = [];
    const firstCall = prober.probeAll(
      [job('hangs', hanging.url, 3000)],
      (results) => first.push(...results),
      new AbortController().signal,
    );
    await waitFor(() => hanging.requests.length === 1, 'the hanging probe to reach its target');
    const second: ProbeResult[] = [];
    await prober.probeAll([job('fine', fine.url)], (results) => second.push(...results), new AbortController().signal);
    assert.deepEqual(
      second.map((r) => r.outcome.kind),
      ['answered'],
    );
    assert.equal(first.length, 0, 'the first call is still out');
    await firstCall;
    assert.deepEqual(
      first.map((r) => r.outcome.kind),
      ['unreachable'],
    );
  } finally {
    await prober.close();
    await hanging.close();
    await fine.close();
  }
});

test('an abandoned cycle reports nothing, cuts its probes, and the next cycle runs on fresh threads', async () => {
  let hungUp = false;
  const hanging = await startTarget((_req, res) => res.on('close', () => (hungUp = true)));
  const fine = await startTarget((_req, res) => json(res, { uptime_sec: 1 }));
  const prober = new PoolProber({ maxConcurrency: 2 });
  try {
    const reported: ProbeResult[] = [];
    const shutdown = new AbortController();
    const cycle = prober.probeAll(
      [job('hangs', hanging.url, 60_000)],
      (results) => reported.push(...results),
      shutdown.signal,
    );
    await waitFor(() => hanging.requests.length === 1, 'the probe to reach the target');
    shutdown.abort();
    await cycle;
    assert.deepEqual(reported, []);
    await waitFor(() => hungUp, 'the abandoned probe to be cut');

    const next: ProbeResult[] = [];
    await prober.probeAll([job('fine', fine.url)], (results) => next.push(...results), new AbortController().signal);
    assert.deepEqual(
      next.map((r) => [r.serviceId, r.outcome.kind]),
      [['fine', 'answered']],
    );
  } finally {
    await prober.close();
    await hanging.close();
    await fine.close();
  }
});

test('a cycle asked to start already abandoned probes nothing', async () => {
  const fine = await startTarget((_req, res) => json(res, {}));
  const prober = new PoolProber({ maxConcurrency: 1 });
  try {
    const reported: ProbeResult[] = [];
    await prober.probeAll([job('fine', fine.url)], (results) => reported.push(...results), AbortSignal.abort());
    assert.deepEqual(reported, []);
    assert.equal(fine.requests.length, 0);
  } finally {
    await prober.close();
    await fine.close();
  }
});

test('a thread that dies holding every slot gives them back: its probes are lost, the next ones run', async () => {
  const fine = await startTarget((_req, res) => json(res, { uptime_sec: 1 }));
  const prober = new PoolProber({
    maxConcurrency: 1,
    taskFile: new URL('../helpers/crashing-probe-task.js', import.meta.url),
  });
  try {
    // The batch holding `crash` takes the only slot and kills the thread.
    const lost: ProbeResult[] = [];
    await prober.probeAll(
      [job('crash', fine.url), job('mate', `${fine.url}/mate`)],
      (results) => lost.push(...results),
      new AbortController().signal,
    );
    assert.deepEqual(lost.map((r) => [r.serviceId, r.outcome.kind]).sort(), [
      ['crash', 'monitor_error'],
      ['mate', 'monitor_error'],
    ]);
    // Its replacement needs that slot back for the next call.
    const outcomes = new Map<string, number>();
    const jobs = Array.from({ length: 300 }, (_, i) => job(`s${i}`, `${fine.url}/s/${i}`));
    await prober.probeAll(
      jobs,
      (results) => results.forEach((r) => outcomes.set(r.outcome.kind, (outcomes.get(r.outcome.kind) ?? 0) + 1)),
      new AbortController().signal,
    );
    assert.deepEqual(Object.fromEntries(outcomes), { answered: 300 });
    assert.equal(fine.maxInFlight, 1);
  } finally {
    await prober.close();
    await fine.close();
  }
});

test('bad pool options are refused with the reason', () => {
  assert.throws(() => new PoolProber({ maxConcurrency: 0 }), /maxConcurrency must be a positive integer, got 0/);
  assert.throws(() => new PoolProber({ maxConcurrency: 5, threads: 0 }), /threads must be a positive integer, got 0/);
  assert.throws(
    () => new PoolProber({ maxConcurrency: 5, threads: 2.5 }),
    /threads must be a positive integer, got 2.5/,
  );
});
