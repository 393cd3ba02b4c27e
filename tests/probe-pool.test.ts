// The probe pool on its own: batches sharing a thread's lanes, abandoning a cycle, bad options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeJob, ProbeResult } from '../src/domain/index.js';
import { PoolProber } from '../src/scheduler/pool-prober.js';
import { json, startTarget } from './helpers/target.js';
import { waitFor } from './helpers/wait.js';

const job = (serviceId: string, url: string, timeoutMs = 1000): ProbeJob => ({ serviceId, generation: 1, url, timeoutMs, retries: 0, dueAt: 0 });

test('on one thread, a hanging probe holds only its lane: the batches behind it come back first', async () => {
  const hanging = await startTarget(() => undefined);
  const fine = await startTarget((_req, res) => json(res, { uptime_sec: 1 }));
  const prober = new PoolProber({ maxConcurrency: 5, threads: 1 });
  try {
    await prober.warmUp();
    // Five jobs make batches of two: [hangs, f1], [f2, f3], [f4].
    const jobs = [job('hangs', hanging.url), ...[1, 2, 3, 4].map((i) => job(`f${i}`, `${fine.url}/f${i}`))];
    const arrivals: string[][] = [];
    await prober.probeAll(jobs, (results) => arrivals.push(results.map((r) => r.serviceId).sort()), new AbortController().signal);
    assert.deepEqual(arrivals.at(-1), ['f1', 'hangs']);
    assert.deepEqual(arrivals.slice(0, -1).flat().sort(), ['f2', 'f3', 'f4']);
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
    const cycle = prober.probeAll([job('hangs', hanging.url, 60_000)], (results) => reported.push(...results), shutdown.signal);
    await waitFor(() => hanging.requests.length === 1, 'the probe to reach the target');
    shutdown.abort();
    await cycle;
    assert.deepEqual(reported, []);
    await waitFor(() => hungUp, 'the abandoned probe to be cut');

    const next: ProbeResult[] = [];
    await prober.probeAll([job('fine', fine.url)], (results) => next.push(...results), new AbortController().signal);
    assert.deepEqual(next.map((r) => [r.serviceId, r.outcome.kind]), [['fine', 'answered']]);
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

test('a thread that dies holding every slot gives them back: the rest of the cycle still runs', async () => {
  const fine = await startTarget((_req, res) => json(res, { uptime_sec: 1 }));
  const prober = new PoolProber({ maxConcurrency: 1, taskFile: new URL('./helpers/crashing-probe-task.js', import.meta.url) });
  try {
    // 600 jobs make 6 batches of 100. The thread takes 4; the first one's task takes the only slot and
    // kills the thread, failing all 4. Its replacement gets the other 2 and needs that slot back.
    const jobs = [job('crash', fine.url), ...Array.from({ length: 599 }, (_, i) => job(`s${i}`, `${fine.url}/s/${i}`))];
    const outcomes = new Map<string, number>();
    const cycle = prober.probeAll(
      jobs,
      (results) => results.forEach((r) => outcomes.set(r.outcome.kind, (outcomes.get(r.outcome.kind) ?? 0) + 1)),
      new AbortController().signal,
    );
    await waitFor(() => outcomes.get('answered') === 200, 'the batches after the crash to be probed', 20_000);
    await cycle;
    assert.deepEqual(Object.fromEntries(outcomes), { monitor_error: 400, answered: 200 });
    assert.equal(fine.maxInFlight, 1);
  } finally {
    await prober.close();
    await fine.close();
  }
});

test('bad pool options are refused with the reason', () => {
  assert.throws(() => new PoolProber({ maxConcurrency: 0 }), /maxConcurrency must be a positive integer, got 0/);
  assert.throws(() => new PoolProber({ maxConcurrency: 5, threads: 0 }), /threads must be a positive integer, got 0/);
  assert.throws(() => new PoolProber({ maxConcurrency: 5, threads: 2.5 }), /threads must be a positive integer, got 2.5/);
});
