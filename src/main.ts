// Composition root: config, store, probe pool, scheduler, API, notifiers; signals and shutdown order.
import './heap-growth.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './api/app.js';
import { createApiServer, type FetchHandler } from './api/server.js';
import { ConfigError, HELP, loadConfig, type Config } from './config.js';
import { targetPolicy, type ProbeDefaults } from './domain/index.js';
import { createLogger, type Logger } from './logger.js';
import { createMonitorMetrics } from './metrics/prometheus.js';
import { EventStreamHub } from './notify/event-stream/event-stream-hub.js';
import { startWebhookNotifier } from './notify/webhooks/notifier.js';
import { subscribeLogNotifier } from './notify/log-notifier.js';
import { PoolProber } from './scheduler/pool-prober.js';
import { Scheduler } from './scheduler/scheduler.js';
import { onShutdownSignal } from './shutdown.js';
import { ServiceStore } from './store/store.js';
import { schedulePruning } from './store/pruner.js';
import { DatabaseOpenError } from './store/sqlite/open-database.js';
import { SqliteThreadPersistence } from './store/sqlite/sqlite-thread-persistence.js';
import { PostgresPersistence } from './store/postgres/postgres-persistence.js';
import type { Persistence } from './store/persistence.js';
import { redactedDatabaseUrl } from './domain/index.js';
import { openPostgresWithRetry, type StartingState } from './cluster/open-with-retry.js';
import { createCluster, createLeases, type Cluster } from './cluster/start-cluster.js';
import type { LeaseManager } from './cluster/lease-manager.js';
import { MonitorEvents } from './store/events.js';
import { startingFetch } from './api/starting.js';
import { removalAnnouncer } from './probe/grpc/removed-services.js';

/** Requests still running when shutdown starts get this long before their connections are cut. */
const DRAIN_MS = 2000;
/** Cluster mode: how often each replica reads the maintenance windows back from the database. */
const MAINTENANCE_RELOAD_MS = 2000;
/** Probe results joined for this long into one PostgreSQL transaction (docs/cluster.md, sizing). */
const POSTGRES_RESULT_WRITE_DELAY_MS = 50;
/** Registrations arriving within this long share one durable PostgreSQL commit. */
const POSTGRES_REGISTRY_GATHER_MS = 3;

function readConfig(): Config {
  try {
    const config = loadConfig(process.argv.slice(2), process.env);
    if (config === null) {
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    }
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`health-monitor: ${error.message}\n`);
    process.exit(2);
  }
}

/**
 * PostgreSQL when DATABASE_URL is set (retried until reachable, see open-with-retry.ts), else SQLite in
 * a thread of its own (docs/storage-thread.md); a storage that cannot be opened ends the process here,
 * with the URL's password left out.
 */
async function openPersistence(
  config: Config,
  logger: Logger,
  onWaiting: (state: StartingState) => void,
): Promise<Persistence> {
  const { databaseUrl } = config;
  try {
    if (databaseUrl === null) return await SqliteThreadPersistence.open(config.dbPath);
    const state: StartingState = { reason: null };
    return await openPostgresWithRetry(databaseUrl, logger, state, () => onWaiting(state));
  } catch (error) {
    if (databaseUrl === null && !(error instanceof DatabaseOpenError)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const where = databaseUrl === null ? '' : `PostgreSQL at ${redactedDatabaseUrl(databaseUrl)}: `;
    process.stderr.write(`health-monitor: ${where}${reason}\n`);
    process.exit(1);
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
  });
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  if (config.registerToken === null) {
    logger.warn('REGISTER_TOKEN is unset: anyone who can reach the monitor can register and delete services');
  }
  const defaults: ProbeDefaults = {
    pollIntervalMs: config.pollIntervalMs,
    probeTimeoutMs: config.probeTimeoutMs,
    probeRetries: config.probeRetries,
    errorRateThreshold: config.errorRateThreshold,
    deregisterAfterSec: config.deregisterAfterSec,
    tlsExpiryWarnDays: config.tlsExpiryWarnDays,
  };
  // Until the monitor is ready, requests get a 503 that says why; the handler is swapped then.
  let handler: FetchHandler = startingFetch({ reason: null });
  const server = createApiServer({ fetch: (request, env) => handler(request, env), hostname: config.host });
  server.on('error', (error) => {
    logger.fatal({ err: error }, 'cannot listen');
    process.exit(1);
  });
  const listening = new Promise<void>((resolve) => server.once('listening', resolve));
  let listenCalled = false;
  const listen = (): void => {
    if (listenCalled) return;
    listenCalled = true;
    server.listen(config.port, config.host, () => {
      const { port } = server.address() as AddressInfo;
      logger.info({ host: config.host, port }, 'listening');
    });
  };
  const exitWhileStarting = (): void => process.exit(0);
  process.once('SIGTERM', exitWhileStarting);
  process.once('SIGINT', exitWhileStarting);

  const startedLoading = performance.now();
  const persistence = await openPersistence(config, logger, (state) => {
    // The database is not there yet: answer /healthz with the reason while retrying.
    handler = startingFetch(state);
    listen();
  });
  const postgres = persistence instanceof PostgresPersistence ? persistence : null;
  const clusterSettings = { replicaId: config.replicaId, leaseTtlMs: config.leaseTtlMs };
  const leases: LeaseManager | null = postgres === null ? null : createLeases(postgres, clusterSettings, logger);
  const store = await ServiceStore.open({
    persistence,
    defaults,
    onListenerError: (error, event) => logger.error({ err: error, event }, 'event listener failed'),
    ...(leases === null
      ? {}
      : {
          owns: (serviceId: string) => leases.owns(serviceId),
          ownedUntil: () => leases.validUntilEpochMs,
          resultWriteDelayMs: POSTGRES_RESULT_WRITE_DELAY_MS,
          registryGatherMs: POSTGRES_REGISTRY_GATHER_MS,
        }),
  });
  const cluster: Cluster | null =
    postgres === null || leases === null ? null : await createCluster(postgres, store, leases, clusterSettings, logger);
  logger.info(
    {
      storage: config.databaseUrl === null ? config.dbPath : redactedDatabaseUrl(config.databaseUrl),
      services: store.size,
      ms: Math.round(performance.now() - startedLoading),
      ...(cluster === null ? {} : { replica: config.replicaId }),
    },
    'registry loaded',
  );
  subscribeLogNotifier(store.events, logger);
  const eventStream = new EventStreamHub(
    cluster === null ? { events: store.events, replay: store } : { events: cluster.feed, replay: cluster.replay },
  );
  const prometheus = createMonitorMetrics({ store, events: store.events, attributeLabels: config.promAttributeLabels });
  const policy = targetPolicy(config.allowTargets);
  const noticeEvents: MonitorEvents = cluster?.notices ?? store.events;
  if (cluster !== null) {
    // Windows are opened and ended on any replica: each reads them back from the database every
    // couple of seconds, and tells its notifier when one ends.
    store.events.on('maintenanceEnded', (event) => noticeEvents.emit('maintenanceEnded', event));
    const reload = setInterval(() => {
      store.reloadMaintenance().catch((error: unknown) => logger.warn({ err: error }, 'maintenance windows not read'));
    }, MAINTENANCE_RELOAD_MS);
    reload.unref();
  }
  const webhooks = startWebhookNotifier({
    events: noticeEvents,
    lookup: (id) => store.get(id),
    maintenanceOf: (id) => store.maintenanceFor(id),
    // Services restored at start: their webhook_url is known, and those already bad keep getting reminders.
    services: store.list(),
    receivers: config.webhookUrls,
    // A service's own webhook_url is held to the probes' rules; WEBHOOK_URLS receivers are the operator's own.
    targetPolicy: policy,
    secret: config.webhookSecret,
    reminderMs: config.webhookReminderSec === null ? null : config.webhookReminderSec * 1000,
    timeoutMs: config.webhookTimeoutMs,
    retries: config.webhookRetries,
    logger: logger.child({ component: 'webhooks' }),
    onDelivery: (outcome) => prometheus.recordWebhookDelivery(outcome),
    onDiscard: (reason) => prometheus.recordWebhookDiscard(reason),
    ...(cluster === null ? {} : { outbox: cluster.outbox }),
  });
  const stopPruning = schedulePruning(store, config.historyRetentionDays, logger.child({ component: 'pruner' }));
  const prober = new PoolProber({
    maxConcurrency: config.maxConcurrency,
    threads: config.probeThreads,
    allowTargets: config.allowTargets,
    ...(cluster === null ? {} : { replicaId: config.replicaId }),
  });
  await prober.warmUp();
  // Probers that keep a connection per service (gRPC) close it as the service goes.
  const removals = removalAnnouncer();
  store.events.on('deregistered', (event) => removals.announce(event.serviceId));
  const scheduler = new Scheduler({
    store,
    prober,
    onError: (error) => logger.error({ err: error }, 'cycle failed'),
  });
  const app = createApp({
    store,
    defaults,
    registerToken: config.registerToken,
    targetPolicy: policy,
    logger: logger.child({ component: 'api' }),
    eventStream,
    prometheus,
    ...(cluster === null ? {} : { cluster: cluster.info }),
    ...(config.statusPage
      ? {
          statusPage: {
            groupBy: config.statusGroupBy,
            showUrls: config.statusShowUrls,
            token: config.statusToken,
            historyRetentionDays: config.historyRetentionDays,
          },
        }
      : {}),
  });
  await cluster?.start();

  process.off('SIGTERM', exitWhileStarting);
  process.off('SIGINT', exitWhileStarting);
  onShutdownSignal(
    [
      { name: 'scheduler', run: () => scheduler.stop() },
      // Right after the last results are written: the other replicas take the services over at once.
      ...(cluster === null ? [] : [{ name: 'cluster leases', run: () => cluster.stop() }]),
      { name: 'event stream', run: () => eventStream.close() },
      // Both may wait up to 2 s (requests draining, deliveries finishing): side by side, within the 4.5 s budget.
      { name: 'api and webhooks', run: async () => void (await Promise.all([closeServer(server), webhooks.stop()])) },
      {
        name: 'store',
        run: async () => {
          stopPruning();
          prometheus.close();
          await store.close();
        },
      },
      { name: 'probe pool', run: () => prober.close() },
    ],
    logger,
  );
  handler = app.fetch;
  listen();
  await listening;
  if (cluster !== null) logger.info({ replica: config.replicaId, shards: leases?.shards.length ?? 0 }, 'ready');
  scheduler.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`health-monitor: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
