// Three replicas share 300 services: each service is probed on its interval by one replica at a time,
// and the shards are split evenly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  closeHandovers,
  registerAll,
  serviceIds,
  startCluster,
  startFarm,
  unevenShares,
  clusterView,
  waitForProbes,
  waitForShares,
} from '../helpers/cluster.js';
import { sleep } from '../helpers/wait.js';

const WINDOW_MS = 10_000;

test('3 replicas, 300 services at 1 s: each probed 9–12 times in 10 s, by one replica at a time, shards even', async (t) => {
  const farm = await startFarm(t);
  const cluster = await startCluster(t, { replicas: 3 });
  const live = ['r1', 'r2', 'r3'];
  const reader = cluster.replica('r1').url;
  await waitForShares(reader, live);

  const services = serviceIds(300);
  await registerAll(reader, farm, services);
  await waitForProbes(farm, services, 5000);
  // One more interval, so that every first probe and any handover is behind the window.
  await sleep(1500);
  await waitForShares(reader, live);

  const from = Date.now();
  await sleep(WINDOW_MS);
  const to = Date.now();
  const inWindow = farm.hits.filter((hit) => hit.at >= from && hit.at < to);

  const counts = new Map<string, number>(services.map((service) => [service, 0]));
  for (const hit of inWindow) counts.set(hit.service, (counts.get(hit.service) ?? 0) + 1);
  const offCount = [...counts].filter(([, count]) => count < 9 || count > 12);
  assert.deepEqual(offCount, [], 'services probed outside 9–12 times in 10 s');

  assert.deepEqual(
    inWindow.filter((hit) => !['r1', 'r2', 'r3'].includes(hit.replica)).slice(0, 5),
    [],
    'every probe names its replica',
  );
  // Two replicas probing one service would put their hits well under one interval apart.
  assert.deepEqual(closeHandovers(inWindow, 500), [], 'a service probed by two replicas within half an interval');

  const view = await clusterView(reader);
  assert.equal(
    unevenShares(view, live),
    null,
    JSON.stringify(view.replicas.map((member) => [member.id, member.owned])),
  );
  const byReplica = new Map<string, number>();
  for (const hit of inWindow) byReplica.set(hit.replica, (byReplica.get(hit.replica) ?? 0) + 1);
  t.diagnostic(`probes per replica in the window: ${JSON.stringify(Object.fromEntries(byReplica))}`);
});
