// SIGTERM hands a replica's shards over at once: the others probe its services within about one
// interval, and the process exits 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servicesProbedBy, settledCluster, waitForShares } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';

const INTERVAL_MS = 1000;
/** One interval, plus 500 ms for the release, the NOTIFY, the claim and the probe's own trip. */
const TAKEOVER_MS = INTERVAL_MS + 500;

test('SIGTERM one of 3: its services probed by the others within one interval, exit code 0', async (t) => {
  const { farm, cluster, reader, services } = await settledCluster(t, 60);

  const handed = servicesProbedBy(farm, services, 'r2');
  assert.ok(handed.length > 0, 'r2 probes some services');
  const stopping = cluster.replica('r2');
  stopping.child.kill('SIGTERM');
  const signalledAt = Date.now();

  const takenOver = (service: string): boolean =>
    farm.hitsOf(service, signalledAt).some((hit) => hit.replica === 'r1' || hit.replica === 'r3');
  await waitFor(() => handed.every(takenOver), 'every service of r2 probed by r1 or r3', TAKEOVER_MS + 3000);
  const late = handed
    .map((service) => {
      const first = farm.hitsOf(service, signalledAt).find((hit) => hit.replica !== 'r2');
      return { service, after: (first?.at ?? Infinity) - signalledAt };
    })
    .filter(({ after }) => after > TAKEOVER_MS);
  assert.deepEqual(late, [], `taken over later than ${TAKEOVER_MS} ms after SIGTERM`);

  const { code, signal } = await stopping.exited;
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, stopping.output().split('\n').slice(-10).join('\n'));
  await waitForShares(reader, ['r1', 'r3']);
});
