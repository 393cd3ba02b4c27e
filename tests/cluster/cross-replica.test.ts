// Any replica answers for every service: a registration on one is readable on the other within 1 s,
// and a deletion on one stops the probing wherever the service was probed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricsEntry, ServiceView } from '../../src/api/views.js';
import {
  lastProber,
  registerAll,
  serviceIds,
  startCluster,
  startFarm,
  waitForProbes,
  waitForShares,
} from '../helpers/cluster.js';
import { metrics, register } from '../helpers/monitor-requests.js';
import { sleep, waitFor } from '../helpers/wait.js';

test('registered on A: on B’s /services/:id and /metrics within 1 s, probed, and B shows its state', async (t) => {
  const farm = await startFarm(t);
  const cluster = await startCluster(t, { replicas: 2 });
  const [a, b] = [cluster.replica('r1'), cluster.replica('r2')];
  await waitForShares(a.url, ['r1', 'r2']);

  const response = await register(a.url, { id: 'seen', url: farm.urlOf('seen'), poll_interval_sec: 1 });
  assert.equal(response.status, 201);
  const answeredAt = Date.now();
  await waitFor(async () => (await fetch(`${b.url}/services/seen`)).status === 200, 'B to know the service', 1000);
  await waitFor(
    async () => (await metrics(b.url)).some((entry: MetricsEntry) => entry.service === 'seen'),
    'the service on B’s /metrics',
    Math.max(0, 1000 - (Date.now() - answeredAt)),
  );
  // The owner probes within 1 s; the state it writes reaches B's reads too.
  await waitFor(() => farm.hitsOf('seen').length > 0, 'the first probe', 1500);
  await waitFor(
    async () => ((await (await fetch(`${b.url}/services/seen`)).json()) as ServiceView).health === 'healthy',
    'B to show the probed state',
    5000,
  );
});

test('deleted on B: probing stops within 1 s, whichever replica probed it', async (t) => {
  const farm = await startFarm(t);
  const cluster = await startCluster(t, { replicas: 2 });
  const [a, b] = [cluster.replica('r1'), cluster.replica('r2')];
  await waitForShares(a.url, ['r1', 'r2']);

  // Twenty services: both replicas end up with some (all on one side has odds of 2 in 2^20).
  const services = serviceIds(20);
  await registerAll(a.url, farm, services);
  await waitForProbes(farm, services, 3000);
  const probedByA = services.find((service) => lastProber(farm, service) === 'r1');
  const probedByB = services.find((service) => lastProber(farm, service) === 'r2');
  assert.ok(probedByA !== undefined && probedByB !== undefined, 'each replica probes some of the services');

  for (const service of [probedByA, probedByB]) {
    const deleted = await fetch(`${b.url}/services/${service}`, { method: 'DELETE' });
    assert.equal(deleted.status, 204, service);
    const deletedAt = Date.now();
    await sleep(3000);
    // One probe already in flight at the 1 s mark may still arrive; none after it.
    const late = farm.hitsOf(service, deletedAt + 1000);
    assert.ok(late.length <= 1, `${service} still probed after its deletion: ${JSON.stringify(late)}`);
    assert.equal((await fetch(`${a.url}/services/${service}`)).status, 404, `${service} gone from A too`);
  }
});
