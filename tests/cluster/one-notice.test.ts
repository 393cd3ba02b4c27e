// With every replica configured with the same receiver, a transition is announced once across the
// cluster, under one webhook-id, also when its owner is killed right after the flip.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { ServiceView } from '../../src/api/views.js';
import { LEASE_TTL_MS, lastProber, startCluster, startFarm, waitForShares } from '../helpers/cluster.js';
import { register } from '../helpers/monitor-requests.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

const SERVICE = 'flips';

/** webhook-ids of the deliveries announcing healthy → unhealthy, one entry per delivery. */
const flipIds = (receiver: Receiver): string[] =>
  receiver.deliveries
    .filter(({ payload }) => payload.service === SERVICE && payload.to?.health === 'unhealthy')
    .map(({ headers }) => String(headers['webhook-id']));

async function healthyCluster(t: TestContext) {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const farm = await startFarm(t);
  const cluster = await startCluster(t, { replicas: 3, env: { WEBHOOK_URLS: receiver.url } });
  const reader = cluster.replica('r1').url;
  await waitForShares(reader, ['r1', 'r2', 'r3']);
  const response = await register(reader, { id: SERVICE, url: farm.urlOf(SERVICE), poll_interval_sec: 1 });
  assert.equal(response.status, 201);
  await waitFor(
    () => receiver.deliveries.some(({ payload }) => payload.service === SERVICE && payload.to?.health === 'healthy'),
    'the first verdict’s notice',
    5000,
  );
  return { receiver, farm, cluster };
}

test('a service flips 200 → 500 once: one delivery, one webhook-id, across 3 replicas', async (t) => {
  const { receiver, farm } = await healthyCluster(t);
  farm.setStatus(SERVICE, 500);
  await waitFor(() => flipIds(receiver).length > 0, 'the flip’s notice', 5000);
  // Time for any other replica's duplicate to arrive.
  await sleep(3000);
  assert.deepEqual(flipIds(receiver).length, 1, JSON.stringify(flipIds(receiver)));
  const first = receiver.deliveries.find(
    ({ payload }) => payload.service === SERVICE && payload.to?.health === 'healthy',
  );
  assert.equal(first?.headers['webhook-id'], first?.payload.id, 'the header and the body carry the same id');
});

test('the owner SIGKILLed right after the flip shows: still one distinct webhook-id', async (t) => {
  const { receiver, farm, cluster } = await healthyCluster(t);
  const ownerId = lastProber(farm, SERVICE);
  assert.ok(ownerId !== undefined);
  const owner = cluster.replica(ownerId);
  farm.setStatus(SERVICE, 500);
  await waitFor(
    async () =>
      ((await (await fetch(`${owner.url}/services/${SERVICE}`)).json()) as ServiceView).health === 'unhealthy',
    'the owner to show the flip',
    5000,
  );
  owner.child.kill('SIGKILL');
  await owner.exited;

  // The lease runs out, a survivor takes the shard and delivers whatever the outbox holds (or re-probes).
  await waitFor(() => flipIds(receiver).length > 0, 'the flip’s notice after the kill', 2 * LEASE_TTL_MS + 6000);
  await sleep(3000);
  const ids = flipIds(receiver);
  t.diagnostic(`flip deliveries: ${ids.length} (raw), distinct webhook-ids: ${new Set(ids).size}`);
  assert.equal(new Set(ids).size, 1, `distinct webhook-ids for one transition: ${JSON.stringify(ids)}`);
});
