// The database goes away under load (connections refused and cut) and comes back: replicas report it
// down then up on /healthz, reconnect, and lose no registration they answered 201.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceView } from '../../src/api/views.js';
import {
  cutDatabase,
  healthz,
  liveReplicas,
  registerAll,
  restoreDatabase,
  serviceIds,
  startCluster,
  startFarm,
  waitForProbes,
  waitForShares,
  type Cluster,
  type Farm,
} from '../helpers/cluster.js';
import { sleep, waitFor } from '../helpers/wait.js';

interface Attempt {
  readonly id: string;
  readonly at: number;
  /** The status, or `error` when no answer came. */
  readonly outcome: number | 'error';
}

/** Registers new services one after another on `url` until `stop.done`, recording every answer. */
async function keepRegistering(url: string, farm: Farm, prefix: string, attempts: Attempt[], stop: { done: boolean }) {
  for (let n = 0; !stop.done; n++) {
    const id = `${prefix}-${n}`;
    const outcome = await fetch(`${url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, url: farm.urlOf(id), poll_interval_sec: 1 }),
      signal: AbortSignal.timeout(10_000),
    }).then(
      (response) => response.status,
      () => 'error' as const,
    );
    attempts.push({ id, at: Date.now(), outcome });
    await sleep(outcome === 201 ? 20 : 200);
  }
}

async function databaseStatus(url: string): Promise<string> {
  try {
    return (await healthz(url)).body.cluster?.database.status ?? 'missing';
  } catch {
    return 'no answer';
  }
}

const everyReplica = async (cluster: Cluster, status: 'up' | 'down'): Promise<boolean> =>
  (await Promise.all(liveReplicas(cluster).map((replica) => databaseStatus(replica.url)))).every(
    (seen) => seen === status,
  );

test('connections refused and cut under load: /healthz down, then up; every 201 still listed', async (t) => {
  const farm = await startFarm(t);
  const cluster = await startCluster(t, { replicas: 3 });
  const ids = ['r1', 'r2', 'r3'];
  await waitForShares(cluster.replica('r1').url, ids);
  const services = serviceIds(100);
  await registerAll(cluster.replica('r1').url, farm, services);
  await waitForProbes(farm, services, 5000);

  const attempts: Attempt[] = [];
  const stop = { done: false };
  const loops = ids.map((id) => keepRegistering(cluster.replica(id).url, farm, `late-${id}`, attempts, stop));
  try {
    await sleep(1000);
    await cutDatabase(cluster);
    const cutAt = Date.now();
    await waitFor(() => everyReplica(cluster, 'down'), 'every replica to report the database down', 10_000);
    // Longer than a lease, so that every lease has run out when the database comes back.
    await sleep(3000);
    await restoreDatabase(cluster);
    const restoredAt = Date.now();
    await waitFor(() => everyReplica(cluster, 'up'), 'every replica to report the database up', 30_000);
    await waitFor(
      () => attempts.filter((attempt) => attempt.at > restoredAt && attempt.outcome === 201).length >= 6,
      'registrations answered 201 again',
      10_000,
    );
    t.diagnostic(
      `cut at +0, down seen by all, restored at +${restoredAt - cutAt} ms; attempts: ${attempts.length}, ` +
        `201: ${attempts.filter((attempt) => attempt.outcome === 201).length}, others: ` +
        JSON.stringify(attempts.filter((attempt) => attempt.outcome !== 201).map((attempt) => attempt.outcome)),
    );
  } finally {
    stop.done = true;
    await Promise.all(loops);
    await restoreDatabase(cluster);
  }

  const settledAt = Date.now();
  await waitForShares(cluster.replica('r1').url, ids, 20_000);
  const accepted = attempts.filter((attempt) => attempt.outcome === 201).map((attempt) => attempt.id);
  for (const replica of liveReplicas(cluster)) {
    let missing: string[] = [];
    await waitFor(
      async () => {
        const listed = new Set(
          ((await (await fetch(`${replica.url}/services`)).json()) as ServiceView[]).map((service) => service.id),
        );
        missing = [...services, ...accepted].filter((id) => !listed.has(id));
        return missing.length === 0;
      },
      `every service answered 201 listed on ${replica.id}`,
      3000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: missing ${missing.slice(0, 10).join(', ')} (${missing.length})`);
    });
  }
  // Reconnected replicas probe again: every service, old or new, after the shares settled.
  await waitForProbes(farm, [...services, ...accepted], 5000, settledAt);
});

test('a replica whose database is unreachable at start stays up, answers 503 starting, then joins', async (t) => {
  const cluster = await startCluster(t, { replicas: 0 });
  await cutDatabase(cluster);
  try {
    const replica = await cluster.start('r1');
    const starting = await healthz(replica.url);
    assert.equal(starting.code, 503);
    assert.equal(starting.body.status, 'starting');
    assert.equal(typeof starting.body.reason, 'string');
    // Retrying, not exiting.
    await sleep(2000);
    assert.equal(replica.child.exitCode, null, replica.output());
    assert.equal((await healthz(replica.url)).body.status, 'starting');
  } finally {
    await restoreDatabase(cluster);
  }
  const replica = cluster.replica('r1');
  const ready = await waitFor(
    async () => {
      const answer = await healthz(replica.url);
      return answer.code === 200 ? answer.body : undefined;
    },
    'the replica to start once the database lets it in',
    20_000,
  );
  assert.equal(ready.cluster?.database.status, 'up');
  assert.equal(ready.cluster?.replica, 'r1');
  await waitFor(async () => (await healthz(replica.url)).body.cluster?.shards_owned === 256, 'r1 to own every shard');
});
