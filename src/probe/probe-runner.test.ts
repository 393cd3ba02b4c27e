// The thread's probe runner: never more than its lanes or the global slots, the oldest probe that may
// start goes first, slow targets never take the last slot, and a failed attempt waits again as slow.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeJob, ProbeResult } from '../domain/index.js';
import { probeJob } from '../../tests/helpers/probe-job.js';
import { createInFlightCounter, InFlightLimit, inFlightNow } from './in-flight-limit.js';
import { ProbeRunner } from './probe-runner.js';

const job = (serviceId: string, slow = false): ProbeJob => probeJob({ serviceId, url: 'http://x', retries: 1, slow });

/** Attempts that end only when the test says so, so every interleaving is chosen, not timed. */
function controlledAttempts() {
  const running = new Map<string, (retry: boolean) => void>();
  const started: string[] = [];
  const results: string[] = [];
  const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  const step = (probe: ProbeJob): Promise<ProbeResult | null> =>
    new Promise((resolve) => {
      started.push(probe.serviceId);
      running.set(probe.serviceId, (retry) =>
        resolve(
          retry
            ? null
            : {
                serviceId: probe.serviceId,
                generation: 1,
                startedAt: 0,
                durationMs: 0,
                attempts: 1,
                outcome: { kind: 'http_status', status: 200 },
              },
        ),
      );
    });
  return {
    started,
    results,
    step,
    sink: { deliver: (result: ProbeResult) => results.push(result.serviceId) },
    async end(id: string, retry = false) {
      const resolve = running.get(id);
      assert.ok(resolve, `${id} is not running`);
      running.delete(id);
      resolve(retry);
      await settled();
    },
  };
}

function runnerWith(lanes: number, max: number) {
  const buffer = createInFlightCounter();
  const attempts = controlledAttempts();
  const runner = new ProbeRunner<ProbeJob>(
    lanes,
    new InFlightLimit(buffer, max, 101),
    (j) => j,
    attempts.step,
    () => {
      throw new Error('no failures here');
    },
  );
  return { runner, attempts, buffer };
}

test('never runs more probes than its lanes, oldest first, across batches', async () => {
  const { runner, attempts } = runnerWith(2, 5);
  runner.enqueue([job('a1'), job('a2'), job('a3')], attempts.sink);
  runner.enqueue([job('b1')], attempts.sink);
  assert.deepEqual(attempts.started, ['a1', 'a2']);
  await attempts.end('a2');
  assert.deepEqual(attempts.started, ['a1', 'a2', 'a3']);
  await attempts.end('a1');
  assert.deepEqual(attempts.started, ['a1', 'a2', 'a3', 'b1']);
  await attempts.end('a3');
  await attempts.end('b1');
  assert.deepEqual(attempts.results, ['a2', 'a1', 'a3', 'b1']);
  assert.equal(runner.size, 0);
});

test('slow targets never take the last slot: a target that answers passes them in the queue', async () => {
  const { runner, attempts, buffer } = runnerWith(5, 3);
  runner.enqueue([job('s1', true), job('s2', true), job('s3', true), job('fast')], attempts.sink);
  assert.deepEqual(attempts.started, ['s1', 's2', 'fast']);
  assert.deepEqual(inFlightNow(buffer), { total: 3, slow: 2 });
  await attempts.end('fast');
  assert.deepEqual(attempts.started, ['s1', 's2', 'fast'], 's3 still may not take the last slot');
  await attempts.end('s1');
  assert.deepEqual(attempts.started, ['s1', 's2', 'fast', 's3']);
});

test('a failed attempt gives its slot back and waits for the next as a slow target', async () => {
  const { runner, attempts, buffer } = runnerWith(5, 2);
  runner.enqueue([job('flaky'), job('other', true)], attempts.sink);
  assert.deepEqual(attempts.started, ['flaky', 'other']);
  await attempts.end('flaky', true);
  // The retry is slow now, and the only slow slot is taken by `other`.
  assert.deepEqual(attempts.started, ['flaky', 'other']);
  assert.deepEqual(inFlightNow(buffer), { total: 1, slow: 1 });
  runner.enqueue([job('fresh')], attempts.sink);
  assert.deepEqual(attempts.started, ['flaky', 'other', 'fresh'], 'a target that answers still gets the free slot');
  await attempts.end('other');
  assert.deepEqual(attempts.started, ['flaky', 'other', 'fresh', 'flaky']);
  await attempts.end('flaky');
  await attempts.end('fresh');
  assert.deepEqual(attempts.results.sort(), ['flaky', 'fresh', 'other']);
  assert.deepEqual(inFlightNow(buffer), { total: 0, slow: 0 });
});

test('lanes must be a positive integer', () => {
  const limit = new InFlightLimit(createInFlightCounter(), 1, 102);
  const never = (): Promise<null> => new Promise(() => undefined);
  const fail = (): ProbeResult => {
    throw new Error('unused');
  };
  assert.throws(
    () => new ProbeRunner<ProbeJob>(0, limit, (j) => j, never, fail),
    /lanes must be a positive integer, got 0/,
  );
  assert.throws(
    () => new ProbeRunner<ProbeJob>(1.5, limit, (j) => j, never, fail),
    /lanes must be a positive integer, got 1.5/,
  );
});
