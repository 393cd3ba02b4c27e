// Hostile targets that stall: each costs the monitor exactly its probe timeout, and no more.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSilentTarget, startTricklingTarget, TRICKLED_BODY } from '../helpers/hostile-servers.js';
import {
  assertMonitorUnharmed,
  RETRIES,
  SLACK_MS,
  TIMEOUT_MS,
  watchAlongsideSteady,
  WORST_PROBE_MS,
} from '../helpers/hostile.js';
import { waitFor } from '../helpers/wait.js';

test('accepts the connection and never answers: dead on the timeout, its sockets closed, none piling up', async (t) => {
  const silent = await startSilentTarget();
  t.after(() => silent.close());

  const watch = await watchAlongsideSteady(silent.url);

  assertMonitorUnharmed(watch);
  assert.equal(watch.hostile.state.health, 'dead');
  assert.equal(watch.hostile.state.ready, false);
  assert.equal(watch.hostile.state.lastError, `timeout after ${TIMEOUT_MS} ms`);
  assert.ok(
    (watch.hostile.state.lastResponseMs ?? 0) >= WORST_PROBE_MS - 20,
    'every attempt waited for the full timeout',
  );
  // Every attempt got a connection of its own, though there were more attempts than the 5 connections
  // a probe thread may hold to one origin: so the timed-out ones were closed, not kept. undici opens
  // a spare one ahead of the next attempt, so up to three are open at once (the attempt's, the one
  // being closed, the spare), never more.
  const attempts = watch.cycles.length * (RETRIES + 1);
  assert.ok(attempts > 5);
  assert.ok(silent.connections.length >= attempts, `${silent.connections.length} connections for ${attempts} attempts`);
  assert.ok(silent.maxOpen <= 3, `${silent.maxOpen} connections were open at once`);
  // Nothing outlives the monitor's probe pool.
  await waitFor(() => silent.open === 0, 'every connection to be closed once the monitor stopped');
});

test('sends headers, then trickles the body a byte a second: the probe ends at the timeout, not at the body', async (t) => {
  const { server, responses } = await startTricklingTarget();
  t.after(() => server.close());

  const watch = await watchAlongsideSteady(server.url);

  assertMonitorUnharmed(watch);
  assert.equal(watch.hostile.state.health, 'dead');
  assert.equal(watch.hostile.state.lastError, `timeout after ${TIMEOUT_MS} ms`);
  await waitFor(() => responses.every((response) => response.closedAt !== null), 'every trickling response to be cut');
  assert.ok(responses.length >= watch.cycles.length * (RETRIES + 1));
  for (const response of responses) {
    const lasted = (response.closedAt ?? Infinity) - response.startedAt;
    assert.ok(lasted <= TIMEOUT_MS + SLACK_MS, `a trickling response was read for ${lasted} ms`);
    assert.ok(response.written < TRICKLED_BODY.length, 'no body was read to its end');
  }
});
