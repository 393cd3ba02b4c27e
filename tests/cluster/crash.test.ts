// A replica killed with SIGKILL releases nothing: its leases expire after LEASE_TTL_MS and the others
// take its services over, none lost, none probed twice, shares rebalanced to two.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceView } from '../../src/api/views.js';
import { closeHandovers, LEASE_TTL_MS, servicesProbedBy, settledCluster, waitForShares } from '../helpers/cluster.js';
import { sleep, waitFor } from '../helpers/wait.js';

const INTERVAL_MS = 1000;

test('SIGKILL one of 3: its services probed again within 2 × TTL + 1 interval, none lost or doubled, 128/128', async (t) => {
  const { farm, cluster, reader, services } = await settledCluster(t, 60);

  const orphans = servicesProbedBy(farm, services, 'r2');
  assert.ok(orphans.length > 0, 'r2 probes some services');
  cluster.replica('r2').child.kill('SIGKILL');
  const killedAt = Date.now();
  await cluster.replica('r2').exited;

  const deadline = 2 * LEASE_TTL_MS + INTERVAL_MS;
  await waitFor(
    () => orphans.every((service) => farm.hitsOf(service, killedAt).length > 0),
    'every orphan probed by a survivor',
    deadline + 1000,
  );
  const late = orphans
    .map((service) => ({ service, after: (farm.hitsOf(service, killedAt)[0]?.at ?? Infinity) - killedAt }))
    .filter(({ after }) => after > deadline);
  assert.deepEqual(late, [], `taken over later than ${deadline} ms after the kill`);

  await waitForShares(reader, ['r1', 'r3']);
  const listed = (await (await fetch(`${reader}/services`)).json()) as ServiceView[];
  assert.deepEqual(listed.map((service) => service.id).sort(), [...services].sort(), 'every service still listed');

  // Settled on two replicas: a few intervals in which every service is probed by one of them only.
  const from = Date.now();
  await sleep(4000);
  const after = farm.hits.filter((hit) => hit.at >= from);
  assert.deepEqual(
    after.filter((hit) => hit.replica !== 'r1' && hit.replica !== 'r3'),
    [],
    'only the survivors probe',
  );
  assert.deepEqual(closeHandovers(after, INTERVAL_MS / 2), [], 'a service probed by both survivors');
  const counts = services.map((service) => after.filter((hit) => hit.service === service).length);
  assert.ok(Math.max(...counts) <= 5, `a service probed ${Math.max(...counts)} times in 4 s`);
  assert.ok(Math.min(...counts) >= 3, `a service probed only ${Math.min(...counts)} times in 4 s`);
});
