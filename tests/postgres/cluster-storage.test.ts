// Cluster mode's guarantees that live in the database, on a real PostgreSQL: the shard function agrees
// with the schema's, a write under a stale epoch never lands, event ids are one gapless sequence
// across replicas, and an outbox notice is taken again by a new owner until it is marked delivered.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { INITIAL_STATE, SHARD_COUNT, shardOf, type ServiceState } from '../../src/domain/index.js';
import { LeaseManager, targetShare } from '../../src/cluster/lease-manager.js';
import { noticeIdOf, OutboxRelay } from '../../src/cluster/outbox-relay.js';
import { MonitorEvents, type TransitionEvent } from '../../src/store/events.js';
import type { StoredEvent, StoredService } from '../../src/store/persistence.js';
import { PostgresPersistence } from '../../src/store/postgres/postgres-persistence.js';
import { registration } from '../helpers/fixtures.js';
import { createTestDatabase, dropTestDatabase, dropTestDatabases } from '../helpers/postgres.js';
import { waitFor } from '../helpers/wait.js';

after(dropTestDatabases);

const stored = (id: string, generation = 1): StoredService => ({
  request: registration(id, 'http://127.0.0.1:9'),
  generation,
  registeredAt: 1,
  state: INITIAL_STATE,
});

const registeredEvent = (id: string): StoredEvent => ({
  id: 0,
  kind: 'registered',
  serviceId: id,
  at: 1,
  data: JSON.stringify({ service: id }),
});

const unhealthy: ServiceState = { ...INITIAL_STATE, health: 'unhealthy', reason: 'HTTP 503', lastCheckedAt: 5 };

function transition(serviceId: string, at: number): TransitionEvent {
  return {
    serviceId,
    from: { health: 'unknown', ready: false },
    to: { health: 'unhealthy', ready: false },
    reason: 'HTTP 503',
    at,
  };
}

async function withDatabase(work: (url: string) => Promise<void>): Promise<void> {
  const url = await createTestDatabase();
  try {
    await work(url);
  } finally {
    await dropTestDatabase(url);
  }
}

test('fair shares: every shard has an owner and no two replicas differ by more than one, for any number of replicas', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 300 }), (ids) => {
      const live = [...ids].sort();
      const shares = live.map((id) => targetShare(live, id));
      assert.equal(
        shares.reduce((sum, share) => sum + share, 0),
        SHARD_COUNT,
      );
      assert.ok(Math.max(...shares) - Math.min(...shares) <= 1);
    }),
  );
});

test("shardOf() agrees with the database's shard column for any service id", async () => {
  await withDatabase(async (url) => {
    const persistence = await PostgresPersistence.open(url);
    try {
      const ids = fc.sample(fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), 300);
      const unique = [...new Set(ids.filter((id) => !id.includes('\u0000')))];
      await persistence.writeRegistry(
        unique.map((id) => ({ kind: 'save', service: stored(id), resetHistory: false })),
        [],
      );
      const rows = await persistence.sql<{ id: string; shard: number }[]>`SELECT id, shard FROM services`;
      assert.equal(rows.length, unique.length);
      for (const row of rows) assert.equal(shardOf(row.id), row.shard, JSON.stringify(row.id));
    } finally {
      await persistence.close();
    }
  });
});

test('a probe write under an epoch the database has moved on from never lands; the current owner’s does', async () => {
  await withDatabase(async (url) => {
    const old = await PostgresPersistence.open(url);
    const next = await PostgresPersistence.open(url);
    const first = new LeaseManager({ sql: old.sql, replicaId: 'old', ttlMs: 60_000 });
    const second = new LeaseManager({ sql: next.sql, replicaId: 'new', ttlMs: 60_000 });
    old.setFence(first);
    next.setFence(second);
    try {
      const ids = Array.from({ length: 64 }, (_, i) => `svc-${i}`);
      await old.writeRegistry(
        ids.map((id) => ({ kind: 'save', service: stored(id), resetHistory: false })),
        [],
      );
      await first.start();
      assert.equal(first.shards.length, SHARD_COUNT);
      // The old owner pauses: its leases run out on the database clock and the new one claims them all.
      await old.sql`UPDATE shard_leases SET expires_at = now() - interval '1 second'`;
      await old.sql`DELETE FROM replicas WHERE id = 'old'`;
      await second.start();
      assert.equal(second.shards.length, SHARD_COUNT);

      const batch = (writer: string) => ({
        services: ids.map((id) => ({ request: { id }, generation: 1, state: { ...unhealthy, reason: writer } })),
        transitions: ids.map((id) => transition(id, 5)),
        events: [],
        hours: [],
      });
      await old.saveProbeBatch(batch('old'));
      const afterStale = await old.sql<{ reason: string }[]>`SELECT state->>'reason' AS reason FROM services`;
      assert.ok(
        afterStale.every((row) => row.reason !== 'old'),
        'no state of the stale writer landed',
      );
      const [staleRows] = await old.sql<{ transitions: number; notices: number }[]>`
        SELECT (SELECT count(*) FROM transitions)::int AS transitions, (SELECT count(*) FROM notices)::int AS notices`;
      assert.deepEqual(staleRows, { transitions: 0, notices: 0 });
      assert.equal(first.refused, ids.length);

      await next.saveProbeBatch(batch('new'));
      const afterOwner = await next.sql<{ reason: string }[]>`SELECT state->>'reason' AS reason FROM services`;
      assert.ok(afterOwner.every((row) => row.reason === 'new'));
      const [ownerRows] = await next.sql<{ transitions: number; notices: number }[]>`
        SELECT (SELECT count(*) FROM transitions)::int AS transitions, (SELECT count(*) FROM notices)::int AS notices`;
      assert.deepEqual(ownerRows, { transitions: ids.length, notices: ids.length });
    } finally {
      await second.stop();
      await first.stop().catch(() => undefined);
      await old.close();
      await next.close();
    }
  });
});

test('event ids from two replicas writing at once are one gapless sequence, committed in id order', async () => {
  await withDatabase(async (url) => {
    const a = await PostgresPersistence.open(url);
    const b = await PostgresPersistence.open(url);
    try {
      const writes = Array.from({ length: 40 }, (_, i) => {
        const writer = i % 2 === 0 ? a : b;
        const id = `svc-${i}`;
        return writer.writeRegistry(
          [{ kind: 'save', service: stored(id), resetHistory: false }],
          [registeredEvent(id)],
        );
      });
      await Promise.all(writes);
      const events = await a.eventsAfter(0, 100);
      assert.deepEqual(
        events.map((event) => event.id),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      assert.equal(new Set(events.map((event) => event.serviceId)).size, 40);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

test('an outbox notice is taken again, with the same id, by a new owner until it is marked delivered', async () => {
  await withDatabase(async (url) => {
    const old = await PostgresPersistence.open(url);
    const next = await PostgresPersistence.open(url);
    const first = new LeaseManager({ sql: old.sql, replicaId: 'old', ttlMs: 60_000 });
    const second = new LeaseManager({ sql: next.sql, replicaId: 'new', ttlMs: 60_000 });
    old.setFence(first);
    next.setFence(second);
    const heardByOld: TransitionEvent[] = [];
    const heardByNew: TransitionEvent[] = [];
    const oldEvents = new MonitorEvents();
    const newEvents = new MonitorEvents();
    oldEvents.on('transition', (event) => heardByOld.push(event));
    newEvents.on('transition', (event) => heardByNew.push(event));
    const oldRelay = new OutboxRelay({ sql: old.sql, replicaId: 'old', notices: oldEvents, pollMs: 50 });
    const newRelay = new OutboxRelay({ sql: next.sql, replicaId: 'new', notices: newEvents, pollMs: 50 });
    try {
      await old.writeRegistry([{ kind: 'save', service: stored('flips'), resetHistory: false }], []);
      await first.start();
      await old.saveProbeBatch({
        services: [{ request: { id: 'flips' }, generation: 1, state: unhealthy }],
        transitions: [transition('flips', 5)],
        events: [],
        hours: [],
      });
      oldRelay.start();
      await waitFor(() => heardByOld.length === 1 || undefined, 'the owner takes the notice');
      const [notice] = heardByOld;
      assert.ok(notice?.noticeId !== undefined);
      // The owner dies before its receivers are done: the notice is not marked delivered.
      await oldRelay.stop();
      await old.sql`UPDATE shard_leases SET expires_at = now() - interval '1 second'`;
      await old.sql`DELETE FROM replicas WHERE id = 'old'`;
      await second.start();
      newRelay.start();
      await waitFor(() => heardByNew.length === 1 || undefined, 'the new owner takes it again');
      assert.equal(heardByNew[0]?.noticeId, notice.noticeId);
      const [row] = await next.sql<{ transition_id: number }[]>`SELECT transition_id FROM notices`;
      assert.equal(notice.noticeId, noticeIdOf('flips', row?.transition_id ?? -1));

      newRelay.settled(notice.noticeId);
      await waitFor(
        async () => (await next.sql`SELECT 1 FROM notices WHERE delivered_at IS NOT NULL`).length === 1 || undefined,
        'marked delivered',
      );
      // A later epoch on the shard (another takeover): what was delivered is not taken again.
      await next.sql`UPDATE shard_leases SET epoch = epoch + 1`;
      newRelay.kick();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(heardByNew.length, 1);
    } finally {
      await oldRelay.stop();
      await newRelay.stop();
      await second.stop();
      await first.stop().catch(() => undefined);
      await old.close();
      await next.close();
    }
  });
});
