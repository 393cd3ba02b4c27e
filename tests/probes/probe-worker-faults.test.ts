// A probe thread that dies in the middle of a batch, by process.exit() or by an uncaught error: the
// cycle still completes, the probes the thread still held are reported as monitor errors, every other
// result is applied, and the next probes run on a replacement thread.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startHarness } from '../helpers/harness.js';
import { json, startTarget } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';
import { noOutcomes, outcomeTotal } from '../../src/store/events.js';

const TASK_FILE = new URL('../helpers/dying-probe-task.js', import.meta.url);
const HEALTH = { uptime_sec: 5, request_count: 10, error_count: 0 };

/** A target whose first request waits for `release()` and then orders the worker to die. */
async function startTrigger(order: 'exit' | 'throw') {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const target = await startTarget((_request: IncomingMessage, response: ServerResponse, index: number) => {
    if (index > 0) return json(response, HEALTH);
    void released.then(() => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-die': order });
      response.end(JSON.stringify(HEALTH));
    });
  });
  return { target, release };
}

const CASES = [
  {
    order: 'exit',
    reason: /^monitor: the probe worker died before returning this result \(worker exited with code: 3\)$/,
  },
  {
    order: 'throw',
    reason: /^monitor: the probe worker died before returning this result \(a probe threw outside its promise\)$/,
  },
] as const;

describe('a probe thread dying mid-batch', () => {
  for (const { order, reason } of CASES) {
    test(`by ${order === 'exit' ? 'process.exit()' : 'an uncaught error'}: the cycle completes, only the probe it held is lost, the next probes all run`, async () => {
      const fine = await startTarget((_request, response) => json(response, HEALTH));
      const trigger = await startTrigger(order);
      // One thread, so every batch of the cycle is on the thread that dies.
      const harness = await startHarness({
        threads: 1,
        maxConcurrency: 5,
        taskFile: TASK_FILE,
        start: false,
        defaults: { pollIntervalMs: 1000 },
      });
      try {
        // Eight jobs in registration order make four batches of two: [die, mate], [s1, s2], [s3, s4], [s5, s6].
        // Results come back as they come, so only `die`, held by its target, is out when the thread dies.
        await harness.register('die', trigger.target.url);
        await harness.register('mate', `${fine.url}/mate`);
        const others = ['s1', 's2', 's3', 's4', 's5', 's6'];
        for (const id of others) await harness.register(id, `${fine.url}/${id}`);
        harness.start();

        // Everything else comes back while the trigger holds its probe; only then does the thread die.
        for (const id of ['mate', ...others])
          await harness.waitForService(id, (record) => record.state.health === 'healthy', 'probed before the crash');
        assert.equal(harness.cycles.length, 0, 'the first cycle is still waiting for the held probe');
        trigger.release();

        const first = await waitFor(() => harness.cycles[0], 'the first cycle to complete', 10_000);
        assert.equal(first.size, 8);
        assert.equal(first.applied, 8);
        assert.deepEqual(first.outcomes, { http: { ...noOutcomes(), answered: 7, monitor_error: 1 } });
        for (const id of ['die']) {
          const record = harness.store.get(id);
          assert.match(record?.state.lastError ?? '', reason, `${id} says its result was lost with the worker`);
          // A monitor error says nothing about the target: no verdict, no transition.
          assert.equal(record?.state.health, 'unknown');
          assert.equal(record?.state.lastCheckedAt, null);
        }
        assert.deepEqual(harness.transitions.map((t) => t.serviceId).sort(), ['mate', ...others]);

        // Each interval counts from the service's own probe (the lost one: from its cycle), so the next
        // probes fall into several cycles: all of them run on a replacement thread.
        const answeredAfterCrash = (): number =>
          harness.cycles.slice(1).reduce((sum, cycle) => sum + outcomeTotal(cycle.outcomes, 'answered'), 0);
        const lostOneProbed = (): boolean => harness.store.get('die')?.state.lastCheckedAt != null;
        await waitFor(
          () => answeredAfterCrash() >= 8 && lostOneProbed(),
          'all eight answered again, on a replacement thread',
          10_000,
        );
        for (const cycle of harness.cycles.slice(1))
          assert.equal(outcomeTotal(cycle.outcomes, 'monitor_error'), 0, 'no probe lost after the crash');
        for (const id of ['die', 'mate', ...others]) {
          const record = harness.store.get(id);
          assert.equal(record?.state.health, 'healthy', id);
          assert.equal(record?.state.lastError, null, id);
        }
      } finally {
        await harness.stop();
        await fine.close();
        await trigger.target.close();
      }
    });
  }
});
