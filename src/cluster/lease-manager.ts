// This replica's share of the shards: claimed, renewed every TTL/3, rebalanced as replicas come and go,
// and trusted only until the lease could have run out, by this process's own monotonic clock.
import { setTimeout as sleep } from 'node:timers/promises';
import { EventEmitter } from 'eventemitter3';
import type { Sql } from 'postgres';
import { SHARD_COUNT, shardOf } from '../domain/index.js';
import type { WriteFence } from '../store/postgres/write-fence.js';
import {
  announceJoin,
  claim,
  heartbeat,
  leave,
  release,
  renew,
  LEASES_CHANNEL,
  type HeldLease,
} from './lease-queries.js';

export interface DatabaseStatus {
  readonly status: 'up' | 'down';
  readonly reason: string | null;
  /** Epoch ms of the change to this status. */
  readonly since: number;
}

export interface LeaseEvents {
  /** Shards this replica may probe from now on: newly claimed, or usable again after a lapse. */
  gained: [shards: number[]];
  /** Shards it must no longer probe. */
  lost: [shards: number[]];
  database: [status: DatabaseStatus];
}

export interface LeaseManagerOptions {
  readonly sql: Sql;
  readonly replicaId: string;
  readonly ttlMs: number;
  readonly onError?: (error: unknown) => void;
}

/** This replica's fair share: an even split, the first replicas by id taking one more while shards remain. */
export function targetShare(live: readonly string[], replicaId: string, shards = SHARD_COUNT): number {
  const count = Math.max(1, live.length);
  const rank = Math.max(0, live.indexOf(replicaId));
  return Math.floor(shards / count) + (rank < shards % count ? 1 : 0);
}

export class LeaseManager extends EventEmitter<LeaseEvents> implements WriteFence {
  readonly replicaId: string;
  private held = new Map<number, number>();
  /** `performance.now()` until which the leases are surely still ours: renewal start + TTL − margin. */
  private validUntil = 0;
  /** Shards being given back: no longer probed here, still written under their epoch until released. */
  private readonly releasing = new Set<number>();
  private beforeRelease: () => Promise<void> = async () => undefined;
  private live: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private refusedRows = 0;
  private unlisten: (() => Promise<void>) | null = null;
  private database: DatabaseStatus = { status: 'up', reason: null, since: Date.now() };

  constructor(private readonly options: LeaseManagerOptions) {
    super();
    this.replicaId = options.replicaId;
  }

  /** Claims a first share, then keeps renewing; other replicas hear of the join and make room. */
  async start(): Promise<void> {
    const listening = await this.options.sql.listen(LEASES_CHANNEL, (from) => {
      if (from !== this.replicaId) this.kick();
    });
    this.unlisten = () => listening.unlisten();
    await this.tick();
    await announceJoin(this.options.sql, this.replicaId).catch(() => undefined);
  }

  /** Gives every lease back at once, so the others take the services over within one interval. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.running;
    const shards = [...this.held.keys()];
    this.held.clear();
    this.validUntil = 0;
    if (shards.length > 0) this.emit('lost', shards);
    await this.unlisten?.().catch(() => undefined);
    await leave(this.options.sql, this.replicaId);
  }

  owns(serviceId: string): boolean {
    const shard = shardOf(serviceId);
    return performance.now() < this.validUntil && this.held.has(shard) && !this.releasing.has(shard);
  }

  /** Runs before shards are given back, so that results already probed under them are written first. */
  setBeforeRelease(flush: () => Promise<void>): void {
    this.beforeRelease = flush;
  }

  /** Until when (epoch ms) the leases held now are valid here; `null` when none is. */
  get validUntilEpochMs(): number | null {
    const left = this.validUntil - performance.now();
    return left > 0 ? Date.now() + left : null;
  }

  epochOf(shard: number): number | null {
    return this.held.get(shard) ?? null;
  }

  onRefused(rows: number): void {
    this.refusedRows += rows;
  }

  /** Probe results the database refused because their lease had moved on, since start. */
  get refused(): number {
    return this.refusedRows;
  }

  get shards(): number[] {
    return performance.now() < this.validUntil ? [...this.held.keys()].sort((a, b) => a - b) : [];
  }

  get liveReplicas(): number {
    return this.live.length;
  }

  get databaseStatus(): DatabaseStatus {
    return this.database;
  }

  /** Runs a renewal soon: another replica joined, left or released shards. */
  kick(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), 0);
  }

  private tick(): Promise<void> {
    this.running ??= this.renewWithin().finally(() => {
      this.running = null;
      if (this.stopped) return;
      const delay = this.again ? 0 : Math.max(100, Math.floor(this.options.ttlMs / 3));
      this.again = false;
      this.timer = setTimeout(() => void this.tick(), delay);
    });
    return this.running;
  }

  /**
   * A renewal that has not finished within a third of the TTL counts as failed, so a query stuck on a
   * dead connection never stops the renewals that follow: the leases lapse here on time, and the next
   * renewal starts.
   */
  private async renewWithin(): Promise<void> {
    const limitMs = Math.max(100, Math.floor(this.options.ttlMs / 3));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.setDatabase('down', `a lease renewal took longer than ${limitMs} ms`);
        resolve();
      }, limitMs);
    });
    try {
      await Promise.race([this.renewAndBalance(), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async renewAndBalance(): Promise<void> {
    const { sql, replicaId, ttlMs } = this.options;
    const startedAt = performance.now();
    const wasUsable = startedAt < this.validUntil;
    try {
      this.live = await heartbeat(sql, replicaId, ttlMs);
      const renewed = await renew(sql, replicaId, ttlMs);
      const lost = [...this.held.keys()].filter((shard) => !renewed.some((lease) => lease.shard === shard));
      this.held = new Map(renewed.map((lease) => [lease.shard, lease.epoch]));
      // Checked against the time the renewal was sent: the database may have taken it any time after.
      this.validUntil = startedAt + ttlMs - Math.max(200, Math.floor(ttlMs / 4));
      if (lost.length > 0) this.emit('lost', lost);
      const target = targetShare(this.live, replicaId);
      let gained: HeldLease[] = [];
      if (this.held.size > target) {
        const surplus = [...this.held.keys()].sort((a, b) => b - a).slice(0, this.held.size - target);
        for (const shard of surplus) this.releasing.add(shard);
        this.emit('lost', surplus);
        try {
          // The next owner starts from the state in the database: write what was probed here first.
          await Promise.race([this.beforeRelease(), sleep(Math.floor(ttlMs / 6))]);
        } finally {
          for (const shard of surplus) {
            this.releasing.delete(shard);
            this.held.delete(shard);
          }
        }
        await release(sql, replicaId, surplus);
      } else if (this.held.size < target) {
        gained = await claim(sql, replicaId, target - this.held.size, ttlMs);
        for (const lease of gained) this.held.set(lease.shard, lease.epoch);
      }
      const usable = wasUsable ? gained.map((lease) => lease.shard) : [...this.held.keys()];
      if (usable.length > 0) this.emit('gained', usable);
      this.setDatabase('up', null);
    } catch (error) {
      this.setDatabase('down', error instanceof Error ? error.message : String(error));
      this.options.onError?.(error);
    }
  }

  private setDatabase(status: DatabaseStatus['status'], reason: string | null): void {
    if (this.database.status === status && this.database.reason === reason) return;
    const changed = this.database.status !== status;
    this.database = { status, reason, since: changed ? Date.now() : this.database.since };
    if (changed) this.emit('database', this.database);
  }
}
