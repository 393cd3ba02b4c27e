// Cluster mode's parts around the store: leases, the sync of what other replicas commit, and the
// notice outbox's relay; wired here so that main.ts only starts and stops them.
import type { Logger } from 'pino';
import { SHARD_COUNT } from '../domain/index.js';
import type { ClusterInfo } from '../api/deps.js';
import type { NoticeOutbox } from '../notify/webhooks/notifier-options.js';
import { MonitorEvents } from '../store/events.js';
import { latestRevision } from '../store/postgres/cluster-reads.js';
import type { PostgresPersistence } from '../store/postgres/postgres-persistence.js';
import type { ServiceStore } from '../store/store.js';
import { ClusterSync } from './cluster-sync.js';
import { clusterView } from './lease-queries.js';
import { LeaseManager } from './lease-manager.js';
import { OutboxRelay } from './outbox-relay.js';

export interface ClusterSettings {
  readonly replicaId: string;
  readonly leaseTtlMs: number;
}

/** Made before the store opens: the store asks it which services to probe, the database which writes to keep. */
export function createLeases(
  persistence: PostgresPersistence,
  settings: ClusterSettings,
  logger: Logger,
): LeaseManager {
  const leases = new LeaseManager({
    sql: persistence.sql,
    replicaId: settings.replicaId,
    ttlMs: settings.leaseTtlMs,
    onError: (error) => logger.warn({ err: error }, 'lease renewal failed'),
  });
  leases.on('lost', (shards) => logger.info({ shards: shards.length }, 'shard leases given up or lost'));
  leases.on('gained', (shards) => logger.info({ shards: shards.length }, 'shard leases taken'));
  leases.on('database', (status) =>
    status.status === 'up'
      ? logger.info('database reachable again')
      : logger.error({ reason: status.reason }, 'database unreachable: probing stops before the leases run out'),
  );
  persistence.setFence(leases);
  return leases;
}

export interface Cluster {
  /** The event stream's source: every replica's log entries, in id order, and its replay. */
  readonly feed: MonitorEvents;
  readonly replay: ClusterSync;
  /** The webhook notifier's source: registrations from the store, transitions from the outbox. */
  readonly notices: MonitorEvents;
  readonly outbox: NoticeOutbox;
  readonly info: ClusterInfo;
  start(): Promise<void>;
  /** Releases the leases at once (the others take over), then stops following the database. */
  stop(): Promise<void>;
}

export async function createCluster(
  persistence: PostgresPersistence,
  store: ServiceStore,
  leases: LeaseManager,
  settings: ClusterSettings,
  logger: Logger,
): Promise<Cluster> {
  const { sql } = persistence;
  const feed = new MonitorEvents();
  const notices = new MonitorEvents();
  const sync = new ClusterSync({
    sql,
    persistence,
    store,
    leases,
    feed,
    lastEventId: store.lastEventId,
    lastRevision: await latestRevision(sql),
    onError: (error) => logger.warn({ err: error }, 'reading other replicas’ changes failed'),
  });
  const relay = new OutboxRelay({
    sql,
    replicaId: settings.replicaId,
    notices,
    onError: (error) => logger.warn({ err: error }, 'notice outbox failed'),
  });
  leases.setBeforeRelease(() => store.flushResults());
  store.events.on('registered', (event) => notices.emit('registered', event));
  store.events.on('deregistered', (event) => notices.emit('deregistered', event));
  // Committed here: the relay takes the notice at once rather than at its next poll.
  store.events.on('transition', () => relay.kick());
  leases.on('gained', () => relay.kick());
  const info: ClusterInfo = {
    replicaId: settings.replicaId,
    shardCount: SHARD_COUNT,
    leaseTtlMs: settings.leaseTtlMs,
    get shardsOwned() {
      return leases.shards.length;
    },
    get replicasLive() {
      return leases.liveReplicas;
    },
    get writesRefused() {
      return leases.refused;
    },
    get database() {
      return leases.databaseStatus;
    },
    replicas: () => clusterView(sql),
  };
  return {
    feed,
    replay: sync,
    notices,
    outbox: { settled: (id) => relay.settled(id), owns: (id) => leases.owns(id) },
    info,
    async start() {
      await sync.start();
      await leases.start();
      await sync.adopted();
      relay.start();
    },
    async stop() {
      await leases.stop().catch((error: unknown) => logger.warn({ err: error }, 'releasing the leases failed'));
      await relay.stop();
      await sync.stop();
    },
  };
}
