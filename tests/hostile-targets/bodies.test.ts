// Hostile targets that answer 200 with a body meant to hurt: too big, not UTF-8, nested beyond any
// recursion, or cut off by a reset. Each gets a verdict that says why, and costs bounded memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FIFTY_MB,
  startDeepJsonTarget,
  startFloodingTarget,
  startGarbledTarget,
  startLengthAnnouncingTarget,
  startResettingTarget,
} from '../helpers/hostile-servers.js';
import { assertMonitorUnharmed, RETRIES, watchAlongsideSteady } from '../helpers/hostile.js';
import { waitFor } from '../helpers/wait.js';
import { outcomeTotal } from '../../src/store/events.js';

test('sends a 50 MB body: read up to 1 MiB, then the connection is cut with most of it unsent', async (t) => {
  const { target, responses } = await startFloodingTarget();
  t.after(() => target.close());

  const watch = await watchAlongsideSteady(target.url);

  assertMonitorUnharmed(watch);
  assert.equal(watch.hostile.state.health, 'unhealthy');
  assert.equal(watch.hostile.state.ready, true, 'it answered 200');
  assert.equal(watch.hostile.state.lastError, 'body exceeds 1 MiB');
  // Not retried (a body is an answer, not a network error): one request a cycle.
  assert.equal(responses.length, watch.cycles.length);
  await waitFor(() => responses.every((response) => response.closedAt !== null), 'every flooding response to be cut');
  for (const { written } of responses) {
    // 1 MiB read, plus what the socket buffers held when the monitor hung up (about 5 MiB here).
    assert.ok(
      written < 16 * 1024 * 1024 && written < FIFTY_MB,
      `the target got ${(written / 1024 / 1024).toFixed(1)} MiB out`,
    );
  }
});

test('announces a 50 MB body: refused on its content-length, without waiting for any of it', async (t) => {
  const target = await startLengthAnnouncingTarget();
  t.after(() => target.close());

  const watch = await watchAlongsideSteady(target.url);

  assertMonitorUnharmed(watch);
  assert.equal(watch.hostile.state.health, 'unhealthy');
  assert.equal(watch.hostile.state.lastError, 'body exceeds 1 MiB');
  assert.ok(
    (watch.hostile.state.lastResponseMs ?? Infinity) < 200,
    `the probe took ${watch.hostile.state.lastResponseMs} ms`,
  );
});

test('sends invalid UTF-8 in a JSON body: unhealthy, saying so', async (t) => {
  const target = await startGarbledTarget();
  t.after(() => target.close());

  const watch = await watchAlongsideSteady(target.url);

  assertMonitorUnharmed(watch);
  assert.equal(watch.hostile.state.health, 'unhealthy');
  assert.equal(watch.hostile.state.ready, true);
  assert.equal(watch.hostile.state.lastError, 'body is not valid UTF-8');
  assert.deepEqual(watch.hostile.state.healthAttributes, {}, 'nothing of the garbled body is kept');
});

test("sends JSON nested 100,000 levels deep: parsed without blowing the probe worker's stack", async (t) => {
  const target = await startDeepJsonTarget(true);
  t.after(() => target.close());

  const watch = await watchAlongsideSteady(target.url, 2);

  assertMonitorUnharmed(watch);
  assert.equal(target.requests.length, 2);
  const outcomes = watch.cycles.map((cycle) => [
    outcomeTotal(cycle.outcomes, 'invalid_body'),
    outcomeTotal(cycle.outcomes, 'answered'),
  ]);
  assert.deepEqual(
    outcomes,
    [
      [1, 1],
      [0, 2],
    ],
    'the bare nest judged invalid, then the wrapped one answered',
  );
  assert.equal(watch.hostile.state.health, 'healthy');
  assert.deepEqual(
    watch.hostile.state.healthAttributes,
    { kept: 'yes' },
    'the nested attribute skipped, the string kept',
  );
});

test('resets the connection mid-body: dead, the reset named, retried like any network error', async (t) => {
  const target = await startResettingTarget();
  t.after(() => target.close());

  const watch = await watchAlongsideSteady(target.url);

  assertMonitorUnharmed(watch);
  assert.equal(watch.hostile.state.health, 'dead');
  assert.equal(watch.hostile.state.ready, false);
  assert.equal(watch.hostile.state.lastError, 'connection reset by target (ECONNRESET)');
  assert.ok(target.requests.length >= watch.cycles.length * (RETRIES + 1), 'every attempt reached the target');
});
