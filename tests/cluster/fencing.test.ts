// A replica paused (SIGSTOP) past its lease loses its shards; woken (SIGCONT), it must neither probe
// what it lost before claiming again nor write a transition or webhook a second time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  closeHandovers,
  clusterView,
  LEASE_TTL_MS,
  ownerOf,
  registerAll,
  serviceIds,
  servicesProbedBy,
  shardOf,
  startCluster,
  startFarm,
  waitForProbes,
  waitForShares,
  type Hit,
} from '../helpers/cluster.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { noticesOf, startReceiver } from '../helpers/webhook-receiver.js';

interface HistoryPage {
  readonly transitions: readonly { from: { health: string }; to: { health: string } }[];
}

/**
 * A probe whose attempt had started when SIGSTOP came (its lease still valid) sends its request when the
 * process resumes: no check can recall it. Only attempts started after the pause must not happen.
 */
const IN_FLIGHT_AT_PAUSE_MS = 100;

const historyOf = async (url: string, service: string): Promise<string[]> =>
  ((await (await fetch(`${url}/services/${service}/history?limit=1000`)).json()) as HistoryPage).transitions.map(
    (transition) => `${transition.from.health}→${transition.to.health}`,
  );

/** What r2 owned over time, read from a survivor's /cluster until `until`. */
async function watchShards(
  reader: string,
  replica: string,
  until: number,
): Promise<{ at: number; shards: Set<number> }[]> {
  const seen: { at: number; shards: Set<number> }[] = [];
  while (Date.now() < until) {
    const view = await clusterView(reader);
    const member = view.replicas.find((entry) => entry.id === replica);
    seen.push({ at: Date.now(), shards: new Set(member?.shards ?? []) });
    await sleep(25);
  }
  return seen;
}

test('SIGSTOP past the lease, takeover, SIGCONT: no probe of a lost shard, each transition and webhook once', async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const farm = await startFarm(t);
  const cluster = await startCluster(t, { replicas: 3, env: { WEBHOOK_URLS: receiver.url } });
  const reader = cluster.replica('r1').url;
  await waitForShares(reader, ['r1', 'r2', 'r3']);
  const services = serviceIds(30);
  await registerAll(reader, farm, services);
  await waitForProbes(farm, services, 5000);
  await waitFor(() => noticesOf(receiver).length >= services.length, 'a first notice for every service', 5000);
  await sleep(1500);

  const lost = servicesProbedBy(farm, services, 'r2');
  const flipper = lost[0];
  assert.ok(flipper !== undefined, 'r2 probes some services');
  // Who probes must be who /cluster says owns the shard, or the per-shard checks below would mean nothing.
  const before = await clusterView(reader);
  const mismatched = services.filter((service) => ownerOf(before, service) !== farm.hitsOf(service).at(-1)?.replica);
  assert.deepEqual(mismatched, [], 'services probed by another replica than their shard’s owner');

  const paused = cluster.replica('r2');
  paused.child.kill('SIGSTOP');
  const pausedAt = Date.now();
  farm.setStatus(flipper, 500);
  await waitFor(
    async () => {
      const view = await clusterView(reader);
      const survivors = view.replicas.filter((member) => member.id === 'r1' || member.id === 'r3');
      return survivors.reduce((sum, member) => sum + member.shards.length, 0) === 256;
    },
    'r1 and r3 to own every shard',
    3 * LEASE_TTL_MS + 2000,
  );
  // r2 renewed at most TTL/3 before the pause, so its leases ran for at least 2/3 of a TTL after it.
  assert.ok(Date.now() - pausedAt >= (2 * LEASE_TTL_MS) / 3, 'the takeover waited for the lease to run out');
  await waitFor(
    async () => (await historyOf(reader, flipper)).includes('healthy→unhealthy'),
    'the flip recorded',
    5000,
  );
  await waitFor(
    () => noticesOf(receiver).some((notice) => notice.service === flipper && notice.to?.health === 'unhealthy'),
    'the flip’s notice',
    5000,
  );

  paused.child.kill('SIGCONT');
  const resumedAt = Date.now();
  const owned = await watchShards(reader, 'r2', resumedAt + 5000);
  await waitForShares(reader, ['r1', 'r2', 'r3']);
  await sleep(2000);

  // A probe by r2 after SIGCONT is fine only once r2 owns the service's shard again (300 ms for the
  // gap between r2's claim and the next /cluster read that shows it).
  const unowned = (hit: Hit): boolean =>
    !owned.some((snapshot) => snapshot.at <= hit.at + 300 && snapshot.shards.has(shardOf(hit.service)));
  const watchedUntil = owned.at(-1)?.at ?? resumedAt;
  const early = farm.hits.filter(
    (hit) =>
      hit.replica === 'r2' && hit.at > resumedAt + IN_FLIGHT_AT_PAUSE_MS && hit.at <= watchedUntil && unowned(hit),
  );
  assert.deepEqual(
    early.slice(0, 5).map((hit) => `${hit.service} at +${hit.at - resumedAt} ms`),
    [],
    'r2 probed services of shards it had lost',
  );
  assert.deepEqual(
    closeHandovers(
      farm.hits.filter((hit) => hit.at > resumedAt),
      500,
    ),
    [],
    'a service probed by two replicas within half an interval after SIGCONT',
  );

  for (const url of [reader, paused.url]) {
    assert.deepEqual(await historyOf(url, flipper), ['healthy→unhealthy', 'unknown→healthy'], `${flipper} on ${url}`);
  }
  for (const service of lost.slice(1)) assert.deepEqual(await historyOf(reader, service), ['unknown→healthy'], service);

  const perId = new Map<string, number>();
  const idsPerTransition = new Map<string, Set<string>>();
  for (const { headers, payload } of receiver.deliveries) {
    const id = String(headers['webhook-id']);
    perId.set(id, (perId.get(id) ?? 0) + 1);
    const key = `${payload.service} ${payload.event} ${payload.from?.health ?? '-'}→${payload.to?.health ?? '-'}`;
    idsPerTransition.set(key, (idsPerTransition.get(key) ?? new Set()).add(id));
  }
  t.diagnostic(`deliveries: ${receiver.deliveries.length}, distinct webhook-ids: ${perId.size}`);
  assert.deepEqual(
    [...idsPerTransition].filter(([, ids]) => ids.size > 1).map(([key, ids]) => `${key}: ${ids.size} ids`),
    [],
    'a transition announced under several webhook-ids',
  );
  assert.deepEqual(
    [...perId].filter(([, count]) => count > 1),
    [],
    'a webhook delivered twice',
  );
});
