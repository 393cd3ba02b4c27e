// What fences a replica's probe writes in cluster mode: the epochs of the shard leases it holds.

/** NOTIFY channel of committed registry changes and event-log entries. */
export const CHANGES_CHANNEL = 'health_monitor_changes';

export interface WriteFence {
  readonly replicaId: string;
  /** The epoch of this replica's lease on `shard`, or `null` when it holds none. */
  epochOf(shard: number): number | null;
  /** Rows of a probe batch the database refused: their shard's lease moved on. */
  onRefused(rows: number): void;
}
