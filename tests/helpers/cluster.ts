// Cluster mode as real processes: N replicas on one per-test PostgreSQL database, a counting farm that
// records which replica probed which service, and readers for /cluster and /healthz. Cleanup SIGKILLs
// every replica and drops the database, also when the test fails.
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import postgres from 'postgres';
import { register } from './monitor-requests.js';
import { ADMIN_URL, createTestDatabase, dropTestDatabase } from './postgres.js';
import { spawnNode, type Spawned } from './processes.js';
import { json, startTarget } from './target.js';
import { waitFor } from './wait.js';

export const SHARD_COUNT = 256;
/** Short leases keep takeovers within a few seconds. */
export const LEASE_TTL_MS = 2000;
export const REPLICA_HEADER = 'health-monitor-replica';

// ---- replicas ----

export interface Replica extends Spawned {
  readonly id: string;
  readonly url: string;
}

export interface Cluster {
  readonly databaseUrl: string;
  readonly databaseName: string;
  /** Every replica started, by id, killed ones included. */
  readonly replicas: ReadonlyMap<string, Replica>;
  replica(id: string): Replica;
  /** Starts one more replica with the cluster's environment (plus `env`) and waits until it listens. */
  start(id: string, env?: Record<string, string>): Promise<Replica>;
  /** The last lines of every replica's log, for assertion messages. */
  logs(lines?: number): string;
}

export interface ClusterOptions {
  readonly replicas: number;
  /** Added to every replica's environment. */
  readonly env?: Record<string, string>;
  /** Wait for /healthz 200 on each replica (off when the database is meant to be unreachable). */
  readonly waitHealthy?: boolean;
}

function listeningPort(output: string): number | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes('"listening"')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
      if (entry.msg === 'listening' && typeof entry.port === 'number') return entry.port;
    } catch {
      // A partly written line: the next poll sees it whole.
    }
  }
  return undefined;
}

async function spawnReplica(id: string, env: Record<string, string>): Promise<Replica> {
  const child = spawnNode('src/main.js', ['--port', '0', '--host', '127.0.0.1'], {
    REPLICA_ID: id,
    LEASE_TTL_MS: String(LEASE_TTL_MS),
    POLL_INTERVAL_MS: '1000',
    PROBE_THREADS: '1',
    LOG_LEVEL: 'info',
    ...env,
  });
  const port = await waitFor(
    () => {
      if (child.child.exitCode !== null) throw new Error(`replica ${id} exited early:\n${child.output()}`);
      return listeningPort(child.output());
    },
    `replica ${id} to listen`,
    15_000,
  ).catch(async (error: unknown) => {
    await child.stop();
    throw error;
  });
  return { ...child, id, url: `http://127.0.0.1:${port}` };
}

/** Replicas r1…rN on a fresh database; killed and dropped after the test whatever its outcome. */
export async function startCluster(t: TestContext, options: ClusterOptions): Promise<Cluster> {
  const databaseUrl = await createTestDatabase();
  const replicas = new Map<string, Replica>();
  t.after(async () => {
    await Promise.all([...replicas.values()].map((replica) => replica.stop()));
    await dropTestDatabase(databaseUrl);
  });
  const baseEnv = { DATABASE_URL: databaseUrl, ...options.env };
  const cluster: Cluster = {
    databaseUrl,
    databaseName: new URL(databaseUrl).pathname.slice(1),
    replicas,
    replica(id) {
      const replica = replicas.get(id);
      if (replica === undefined) throw new Error(`no replica ${id}`);
      return replica;
    },
    async start(id, env = {}) {
      const replica = await spawnReplica(id, { ...baseEnv, ...env });
      replicas.set(id, replica);
      return replica;
    },
    logs(lines = 15) {
      return [...replicas.values()]
        .map((replica) => `--- ${replica.id}\n${replica.output().trimEnd().split('\n').slice(-lines).join('\n')}`)
        .join('\n');
    },
  };
  // Started together, as an operator would start them; each is added once it listens.
  const ids = Array.from({ length: options.replicas }, (_, i) => `r${i + 1}`);
  await Promise.all(ids.map((id) => cluster.start(id)));
  if (options.waitHealthy ?? true) {
    for (const id of ids) {
      await waitFor(
        async () => (await healthz(cluster.replica(id).url)).code === 200,
        `replica ${id} to answer /healthz 200`,
        15_000,
      );
    }
  }
  return cluster;
}

/** Replicas that were started and have not exited. */
export function liveReplicas(cluster: Cluster): Replica[] {
  return [...cluster.replicas.values()].filter(
    (replica) => replica.child.exitCode === null && replica.child.signalCode === null,
  );
}

// ---- /cluster and /healthz ----

export interface ClusterMember {
  readonly id: string;
  readonly live: boolean;
  readonly heartbeat_at: string;
  readonly owned: number;
  readonly shards: readonly number[];
  readonly lease_expires_at: string | null;
}

export interface ClusterView {
  readonly replica: string;
  readonly shard_count: number;
  readonly lease_ttl_ms: number;
  readonly replicas: readonly ClusterMember[];
}

export interface HealthzBody {
  readonly status: string;
  readonly reason?: string;
  readonly cluster?: {
    readonly replica: string;
    readonly shards_owned: number;
    readonly shard_count: number;
    readonly replicas_live: number;
    readonly database: { readonly status: 'up' | 'down'; readonly reason: string | null; readonly since: string };
  };
}

export async function clusterView(url: string): Promise<ClusterView> {
  const response = await fetch(`${url}/cluster`, { signal: AbortSignal.timeout(5000) });
  if (response.status !== 200) throw new Error(`GET ${url}/cluster answered ${response.status}`);
  return (await response.json()) as ClusterView;
}

export async function healthz(url: string): Promise<{ code: number; body: HealthzBody }> {
  const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
  return { code: response.status, body: (await response.json()) as HealthzBody };
}

/** Why `view` is not an even split of every shard over exactly `live`, or null when it is. */
export function unevenShares(view: ClusterView, live: readonly string[]): string | null {
  const even = SHARD_COUNT / live.length;
  const seen = new Set<number>();
  for (const member of view.replicas) {
    for (const shard of member.shards) {
      if (seen.has(shard)) return `shard ${shard} owned twice`;
      seen.add(shard);
    }
    if (!live.includes(member.id) && member.shards.length > 0) return `${member.id} still owns ${member.shards.length}`;
    if (live.includes(member.id) && Math.abs(member.shards.length - even) > 1)
      return `${member.id} owns ${member.shards.length}, not ${even.toFixed(1)} ± 1`;
  }
  if (seen.size !== SHARD_COUNT) return `${seen.size} of ${SHARD_COUNT} shards owned`;
  return null;
}

/** Waits until `reader`'s /cluster shows every shard owned and split evenly (± 1) over exactly `live`. */
export async function waitForShares(reader: string, live: readonly string[], timeoutMs = 15_000): Promise<ClusterView> {
  let last = 'no answer yet';
  try {
    return await waitFor(
      async () => {
        const view = await clusterView(reader);
        const problem = unevenShares(view, live);
        last = problem ?? 'even';
        return problem === null ? view : undefined;
      },
      `shares split evenly over ${live.join(', ')}`,
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last: ${last}`);
  }
}

/**
 * The shard of a service as the schema computes it (the first 32 bits of the id's MD5, modulo 256),
 * written here independently of src/ so a test can ask /cluster who owns a service.
 */
export function shardOf(serviceId: string): number {
  return Number.parseInt(createHash('md5').update(serviceId).digest('hex').slice(0, 8), 16) % SHARD_COUNT;
}

export function ownerOf(view: ClusterView, serviceId: string): string | undefined {
  const shard = shardOf(serviceId);
  return view.replicas.find((member) => member.shards.includes(shard))?.id;
}

// ---- the counting farm ----

export interface Hit {
  readonly service: string;
  /** The probing replica's id, from its header; `?` when the header is missing. */
  readonly replica: string;
  readonly at: number;
}

export interface Farm {
  /** Every probe received, in arrival order. */
  readonly hits: Hit[];
  /** The URL to register for `service`: probes then ask `/<service>/health`. */
  urlOf(service: string): string;
  /** What `service`'s /health answers from now on (200 by default). */
  setStatus(service: string, status: number): void;
  hitsOf(service: string, after?: number): Hit[];
  close(): Promise<void>;
}

const HEALTHY_BODY = { uptime_sec: 1, request_count: 10, error_count: 0 };

/** One HTTP server standing for every service: a path per service, each hit recorded with its replica. */
export async function startFarm(t: TestContext): Promise<Farm> {
  const hits: Hit[] = [];
  const statuses = new Map<string, number>();
  const target = await startTarget((request, response) => {
    const service = decodeURIComponent((request.url ?? '').split('/')[1] ?? '');
    const header = request.headers[REPLICA_HEADER];
    hits.push({ service, replica: typeof header === 'string' ? header : '?', at: Date.now() });
    json(response, HEALTHY_BODY, statuses.get(service) ?? 200);
  });
  t.after(() => target.close());
  return {
    hits,
    urlOf: (service) => `${target.url}/${encodeURIComponent(service)}`,
    setStatus: (service, status) => void statuses.set(service, status),
    hitsOf: (service, after = 0) => hits.filter((hit) => hit.service === service && hit.at > after),
    close: () => target.close(),
  };
}

/** The replica that probed `service` last, if any did. */
export function lastProber(farm: Farm, service: string): string | undefined {
  return farm.hitsOf(service).at(-1)?.replica;
}

/** Services whose latest probe came from `replica`. */
export function servicesProbedBy(farm: Farm, services: readonly string[], replica: string): string[] {
  return services.filter((service) => lastProber(farm, service) === replica);
}

/** Consecutive hits of one service by different replicas closer than `minGapMs`: double probing. */
export function closeHandovers(hits: readonly Hit[], minGapMs: number): string[] {
  const found: string[] = [];
  const byService = new Map<string, Hit[]>();
  for (const hit of hits) byService.set(hit.service, [...(byService.get(hit.service) ?? []), hit]);
  for (const [service, list] of byService) {
    for (let i = 1; i < list.length; i++) {
      const [before, after] = [list[i - 1], list[i]];
      if (before === undefined || after === undefined || before.replica === after.replica) continue;
      if (after.at - before.at < minGapMs)
        found.push(`${service}: ${before.replica} then ${after.replica} ${after.at - before.at} ms apart`);
    }
  }
  return found;
}

// ---- registrations ----

/** Registers each service on `url` (a few at a time), failing unless every one answers 201. */
export async function registerAll(
  url: string,
  farm: Farm,
  services: readonly string[],
  fields: Record<string, unknown> = { poll_interval_sec: 1 },
): Promise<void> {
  const queue = [...services];
  const worker = async (): Promise<void> => {
    for (let service = queue.shift(); service !== undefined; service = queue.shift()) {
      const response = await register(url, { id: service, url: farm.urlOf(service), ...fields });
      if (response.status !== 201)
        throw new Error(`registering ${service}: ${response.status} ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

export const serviceIds = (count: number, prefix = 'svc'): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

/** Waits until every service has been probed at least once after `after`. */
export async function waitForProbes(
  farm: Farm,
  services: readonly string[],
  timeoutMs: number,
  after = 0,
): Promise<void> {
  const probed = (): string[] => services.filter((service) => farm.hitsOf(service, after).length === 0);
  await waitFor(() => probed().length === 0, 'every service probed', timeoutMs).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; not probed: ${probed().slice(0, 10).join(', ')}`);
  });
}

// ---- the database, from outside ----

/** Runs `work` on a connection to the server's maintenance database, never to the cluster's own. */
export async function asAdmin<T>(work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Refuses new connections to the cluster's database and cuts every open one. */
export async function cutDatabase(cluster: Cluster): Promise<void> {
  await asAdmin(async (sql) => {
    await sql.unsafe(`ALTER DATABASE ${cluster.databaseName} ALLOW_CONNECTIONS false`);
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${cluster.databaseName}`;
  });
}

export async function restoreDatabase(cluster: Cluster): Promise<void> {
  await asAdmin((sql) => sql.unsafe(`ALTER DATABASE ${cluster.databaseName} ALLOW_CONNECTIONS true`));
}

/** Three replicas sharing evenly, `count` services registered on r1, each probed once, then an interval of quiet. */
export async function settledCluster(t: TestContext, count: number) {
  const farm = await startFarm(t);
  const cluster = await startCluster(t, { replicas: 3 });
  const reader = cluster.replica('r1').url;
  await waitForShares(reader, ['r1', 'r2', 'r3']);
  const services = serviceIds(count);
  await registerAll(reader, farm, services);
  await waitForProbes(farm, services, 5000);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return { farm, cluster, reader, services };
}
