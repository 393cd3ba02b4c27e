// The SQL of shard leases and replica heartbeats. Every time is the database's now(), never a replica's clock.
import type { Sql } from 'postgres';

/** NOTIFY channel of lease changes: a join, a release or a shutdown makes the others rebalance at once. */
export const LEASES_CHANNEL = 'health_monitor_leases';

export interface HeldLease {
  readonly shard: number;
  readonly epoch: number;
}

const interval = (ms: number): string => `${ms} milliseconds`;

/** Records that `replica` is alive for another `ttlMs`; returns the live replicas' ids, sorted. */
export async function heartbeat(sql: Sql, replica: string, ttlMs: number): Promise<string[]> {
  await sql`
    INSERT INTO replicas (id, heartbeat_at, expires_at) VALUES (${replica}, now(), now() + ${interval(ttlMs)}::interval)
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), expires_at = excluded.expires_at`;
  // Gone for an hour: no longer listed by GET /cluster.
  await sql`DELETE FROM replicas WHERE expires_at < now() - interval '1 hour'`;
  const rows = await sql<{ id: string }[]>`SELECT id FROM replicas WHERE expires_at > now() ORDER BY id`;
  return rows.map((row) => row.id);
}

/** Extends every lease `replica` still holds; returns them. One that is missing was taken over. */
export async function renew(sql: Sql, replica: string, ttlMs: number): Promise<HeldLease[]> {
  return sql<HeldLease[]>`
    UPDATE shard_leases SET expires_at = now() + ${interval(ttlMs)}::interval
    WHERE owner = ${replica} RETURNING shard, epoch`;
}

/** Takes up to `count` free or expired shards, each with a new epoch; rows another claimer has locked are skipped. */
export async function claim(sql: Sql, replica: string, count: number, ttlMs: number): Promise<HeldLease[]> {
  if (count <= 0) return [];
  return sql<HeldLease[]>`
    WITH free AS (
      SELECT shard FROM shard_leases WHERE owner IS NULL OR expires_at <= now()
      ORDER BY expires_at, shard LIMIT ${count} FOR UPDATE SKIP LOCKED)
    UPDATE shard_leases l SET owner = ${replica}, epoch = l.epoch + 1, expires_at = now() + ${interval(ttlMs)}::interval
    FROM free WHERE l.shard = free.shard RETURNING l.shard, l.epoch`;
}

/** Gives shards back at once, so another replica can claim them without waiting for expiry. */
export async function release(sql: Sql, replica: string, shards: readonly number[]): Promise<void> {
  if (shards.length === 0) return;
  await sql.begin(async (tx) => {
    await tx`
      UPDATE shard_leases SET owner = NULL, expires_at = '-infinity'
      WHERE owner = ${replica} AND shard = ANY(${tx.array([...shards])}::integer[])`;
    await tx`SELECT pg_notify(${LEASES_CHANNEL}, ${replica})`;
  });
}

/** At shutdown: every lease given back and the replica no longer counted as live. */
export async function leave(sql: Sql, replica: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`UPDATE shard_leases SET owner = NULL, expires_at = '-infinity' WHERE owner = ${replica}`;
    await tx`DELETE FROM replicas WHERE id = ${replica}`;
    await tx`SELECT pg_notify(${LEASES_CHANNEL}, ${replica})`;
  });
}

export async function announceJoin(sql: Sql, replica: string): Promise<void> {
  await sql`SELECT pg_notify(${LEASES_CHANNEL}, ${replica})`;
}

export interface ReplicaView {
  readonly id: string;
  readonly live: boolean;
  readonly heartbeatAt: Date;
  readonly shards: number[];
  readonly leaseExpiresAt: Date | null;
}

/** Every replica seen lately with the shards it holds, for GET /cluster. */
export async function clusterView(sql: Sql): Promise<ReplicaView[]> {
  const rows = await sql<
    { id: string; live: boolean; heartbeat_at: Date; shards: number[] | null; lease_expires_at: Date | null }[]
  >`
    SELECT r.id, r.expires_at > now() AS live, r.heartbeat_at,
      (SELECT array_agg(l.shard ORDER BY l.shard) FROM shard_leases l WHERE l.owner = r.id AND l.expires_at > now()) AS shards,
      (SELECT max(l.expires_at) FROM shard_leases l WHERE l.owner = r.id) AS lease_expires_at
    FROM replicas r ORDER BY r.id`;
  return rows.map((row) => ({
    id: row.id,
    live: row.live,
    heartbeatAt: row.heartbeat_at,
    shards: row.shards ?? [],
    leaseExpiresAt: row.lease_expires_at,
  }));
}
