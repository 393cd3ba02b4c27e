// Cluster mode in one run: durable registrations/s and probes/s on SQLite, on one replica on PostgreSQL
// and on two replicas sharing one database, with the PostgreSQL server's CPU while probing
// (docs/performance.md, "Cluster mode on PostgreSQL").
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { ApiClient, registerMany } from '../lib/api-client.js';
import { startMonitor, type MonitorProcess } from '../lib/monitor-process.js';
import { sleep, waitUntil } from '../lib/time.js';
import type { Target, Unit } from '../report/figures.js';
import { targetText, type FigureResult } from '../report/results.js';
import type { Farm } from '../start-farm.js';

/** The server the tests use too (tests/helpers/postgres.ts); databases are created from its `test` database. */
const SERVER = 'postgres://postgres@127.0.0.1:5432';
const SHARDS = 256;
/** MAX_CONCURRENCY as a user starts the monitor: a replica holding this many probes probes nothing else. */
const SLOTS = 5;
/** Every second, as the steady-load step: more demand than two cores can probe, so probes/s is capacity. */
const INTERVAL_SEC = 1;
/** Each setup gets a fresh database: a replica that waits longer than this for its shards is broken. */
const SHARDS_TIMEOUT_MS = 60_000;

export const SETUPS = ['sqlite', 'pg1', 'pg2'] as const;
export type Setup = (typeof SETUPS)[number];

const REPLICAS: Record<Setup, number> = { sqlite: 1, pg1: 1, pg2: 2 };
const SETUP_NAMES: Record<Setup, string> = {
  sqlite: 'SQLite file',
  pg1: '1 replica on PostgreSQL',
  pg2: '2 replicas on one PostgreSQL database',
};

export interface ClusterOptions {
  readonly farm: Farm;
  readonly dir: string;
  readonly services: number;
  /** Concurrent registrations in all, split evenly over the replicas. */
  readonly lanes: number;
  readonly warmUpMs: number;
  readonly probeMs: number;
  readonly onProgress: (message: string) => void;
}

export interface SetupFigures {
  readonly registrationsPerSec: number;
  readonly probesPerSec: number;
  /** The server's processes' CPU over the probe window, as a share of all cores; `null` on SQLite. */
  readonly postgresCpuShare: number | null;
}

export type ClusterFigures = Record<Setup, SetupFigures>;

/** GET /cluster, as much of it as the bench reads. */
interface ClusterView {
  readonly replicas: readonly { readonly id: string; readonly owned: number }[];
}

/** CPU ticks (1/100 s) of every process named `postgres`, with what the postmaster has reaped from its children. */
function postgresCpuTicks(): number {
  let ticks = 0;
  let found = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // it ended between the listing and the read
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    found++;
    const fields = stat.slice(close + 2).split(' ');
    // utime, stime, cutime, cstime (fields 14–17): a backend that exits mid-window moves its time into the
    // postmaster's cutime/cstime, so the sum neither loses nor counts it twice.
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  if (found === 0) throw new Error('no process named postgres in /proc: the server must run on this machine');
  return ticks;
}

/** A fresh database on the server for one setup, dropped by `drop`, whatever the setup did to it. */
async function createDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = postgres(`${SERVER}/test`, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end({ timeout: 1 });
    throw error;
  }
  return {
    url: `${SERVER}/${name}`,
    drop: async () => {
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end({ timeout: 1 });
      }
    },
  };
}

/** Starts every replica at once (as a deployment would), stopping the ones that started if another did not. */
async function startReplicas(setup: Setup, dir: string, databaseUrl: string | null): Promise<MonitorProcess[]> {
  const ids = Array.from({ length: REPLICAS[setup] }, (_, i) => `r${i + 1}`);
  const started = await Promise.allSettled(
    ids.map((id) =>
      startMonitor({
        // Ignored on PostgreSQL; startMonitor always passes one.
        dbPath: join(dir, `cluster-${setup}-${id}.db`),
        logDir: dir,
        // The flags are the documented twins of DATABASE_URL and REPLICA_ID; startMonitor passes no env.
        extraArgs: databaseUrl === null ? [] : ['--database-url', databaseUrl, '--replica-id', id],
      }),
    ),
  );
  const replicas = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(replicas.map((replica) => replica.stop()));
    throw failed.reason;
  }
  return replicas;
}

/** Until one replica's GET /cluster shows all shards owned, by as many replicas as were started. */
async function waitForShards(client: ApiClient, replicas: number): Promise<ClusterView> {
  return waitUntil(
    async () => {
      const view = await client.getJson<ClusterView>('/cluster');
      const owned = view.replicas.reduce((sum, replica) => sum + replica.owned, 0);
      const owners = view.replicas.filter((replica) => replica.owned > 0).length;
      return owned === SHARDS && owners === replicas ? view : undefined;
    },
    `all ${SHARDS} shards owned by ${replicas} replica(s)`,
    SHARDS_TIMEOUT_MS,
    100,
  );
}

/** POSTs to /release every 100 ms until stopped: hold services not yet probed are held as slots free up. */
function keepReleasing(farm: Farm): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      await farm.release();
      await sleep(100);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

async function measureSetup(setup: Setup, options: ClusterOptions): Promise<SetupFigures> {
  const { farm, services, onProgress } = options;
  const count = REPLICAS[setup];
  const database = setup === 'sqlite' ? null : await createDatabase(`bench_cluster_${process.pid}_${setup}`);
  onProgress(`  ${SETUP_NAMES[setup]}${database === null ? '' : ', a fresh database'}`);
  let replicas: MonitorProcess[] = [];
  const clients: ApiClient[] = [];
  try {
    replicas = await startReplicas(setup, options.dir, database?.url ?? null);
    const lanes = Math.max(1, Math.floor(options.lanes / count));
    clients.push(...replicas.map((replica) => new ApiClient(replica.url, lanes)));
    const first = clients[0];
    if (first === undefined) throw new Error('no replica started');
    if (database !== null) {
      const started = performance.now();
      const view = await waitForShards(first, count);
      onProgress(
        `    ${SHARDS} shards owned after ${Math.round(performance.now() - started)} ms: ` +
          view.replicas.map((replica) => `${replica.id} ${replica.owned}`).join(', '),
      );
    }

    // As the registry step does: every probe slot held first, so the registrations are timed without the
    // probes they cause. Where shards split the services, enough holds that every replica gets its SLOTS.
    const holds = count === 1 ? SLOTS : 4 * SLOTS * count;
    const heldBefore = await farm.held();
    for (let i = 0; i < holds; i++)
      await first.register({
        id: `hold-${i}`,
        url: `${farm.url}/held/cluster-${setup}/${i}`,
        poll_interval_sec: 86_400,
        timeout_ms: 600_000,
      });
    await waitUntil(
      async () => ((await farm.held()) >= heldBefore + SLOTS * count ? true : undefined),
      `every replica's ${SLOTS} probe slots held`,
      10_000,
    );

    const started = performance.now();
    await Promise.all(
      clients.map((client, r) =>
        registerMany(client, Math.ceil((services - r) / count), lanes, (i) => {
          const n = i * count + r;
          return {
            id: `cluster-${String(n).padStart(6, '0')}`,
            url: `${farm.url}/s/${n}`,
            attributes: { env: 'bench', team: `team-${n % 20}` },
            poll_interval_sec: INTERVAL_SEC,
            // A probe may not outlast its interval; the default timeout (2 s) is refused at 1 s.
            timeout_ms: INTERVAL_SEC * 1000,
          };
        }),
      ),
    );
    const registrationsPerSec = (services / (performance.now() - started)) * 1000;
    if ((await farm.held()) < heldBefore + SLOTS * count)
      throw new Error('a held probe ended before the registrations did: probes ran during the registrations');
    const through = count === 1 ? '' : ` through each of ${count} replicas`;
    onProgress(`    ${Math.round(registrationsPerSec)} registrations/s, ${lanes} at a time${through}`);

    const stopReleasing = keepReleasing(farm);
    let probesPerSec: number;
    let postgresCpuShare: number | null = null;
    try {
      await sleep(options.warmUpMs);
      const servedBefore = await farm.served();
      const ticksBefore = postgresCpuTicks();
      const windowStarted = performance.now();
      await sleep(options.probeMs);
      const ms = performance.now() - windowStarted;
      const ticks = postgresCpuTicks() - ticksBefore;
      const probes = (await farm.served()) - servedBefore;
      if (probes === 0) throw new Error(`the farm answered no probe in ${Math.round(ms)} ms (${setup})`);
      probesPerSec = (probes / ms) * 1000;
      if (database !== null) postgresCpuShare = (ticks * 10) / (ms * availableParallelism());
    } finally {
      await stopReleasing();
    }
    const ended = replicas.find((replica) => replica.exitStatus() !== null);
    if (ended !== undefined)
      throw new Error(`a replica ended under load (${ended.exitStatus()}); its log: ${ended.logPath}`);
    onProgress(
      `    ${Math.round(probesPerSec)} probes/s, ${services} services every ${INTERVAL_SEC} s` +
        (postgresCpuShare === null ? '' : `; PostgreSQL CPU ${(postgresCpuShare * 100).toFixed(1)}% of all cores`),
    );
    return { registrationsPerSec, probesPerSec, postgresCpuShare };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database?.drop();
  }
}

/** The three setups one after another, each with its own processes and (on PostgreSQL) its own database. */
export async function measureCluster(options: ClusterOptions): Promise<ClusterFigures> {
  const figures: Partial<ClusterFigures> = {};
  for (const setup of SETUPS) figures[setup] = await measureSetup(setup, options);
  return figures as ClusterFigures;
}

interface ClusterFigureSpec {
  readonly label: (services: number, lanes: number) => string;
  readonly unit: Unit;
  readonly target?: Target;
  readonly value: (figures: ClusterFigures) => number | null;
}

const SECTION = 'cluster mode: SQLite, then 1 and 2 replicas on PostgreSQL, each setup on a fresh database';
const n = (value: number): string => value.toLocaleString('en-US');

/** The figures the bench reports for this step, beside those of bench/report/figures.ts. */
export const CLUSTER_FIGURES = {
  cluster_sqlite_registrations_per_sec: {
    label: (_, lanes) => `registrations per second, SQLite file, ${lanes} at a time`,
    unit: 'per_sec',
    value: (f) => f.sqlite.registrationsPerSec,
  },
  cluster_pg1_registrations_per_sec: {
    label: (_, lanes) => `registrations per second, 1 replica on PostgreSQL, ${lanes} at a time`,
    unit: 'per_sec',
    target: { op: '>=', value: 2000 },
    value: (f) => f.pg1.registrationsPerSec,
  },
  cluster_pg2_registrations_per_sec: {
    label: (_, lanes) => `registrations per second, 2 replicas, ${lanes / 2} at a time through each`,
    unit: 'per_sec',
    value: (f) => f.pg2.registrationsPerSec,
  },
  cluster_sqlite_probes_per_sec: {
    label: (services) => `probes per second, SQLite file, ${n(services)} services every ${INTERVAL_SEC} s`,
    unit: 'per_sec',
    value: (f) => f.sqlite.probesPerSec,
  },
  cluster_pg1_probes_per_sec: {
    label: () => 'probes per second, 1 replica on PostgreSQL',
    unit: 'per_sec',
    value: (f) => f.pg1.probesPerSec,
  },
  cluster_pg2_probes_per_sec: {
    label: () => 'probes per second, 2 replicas (both, counted at the farm)',
    unit: 'per_sec',
    value: (f) => f.pg2.probesPerSec,
  },
  cluster_pg1_probes_to_sqlite: {
    label: () => "1 replica's probes per second / SQLite's",
    unit: 'ratio',
    target: { op: '>=', value: 0.8 },
    value: (f) => f.pg1.probesPerSec / f.sqlite.probesPerSec,
  },
  cluster_pg2_probes_to_sqlite: {
    label: () => "2 replicas' probes per second / SQLite's",
    unit: 'ratio',
    value: (f) => f.pg2.probesPerSec / f.sqlite.probesPerSec,
  },
  cluster_pg1_postgres_cpu: {
    label: () => 'PostgreSQL server CPU while 1 replica probes, share of all cores',
    unit: 'ratio',
    value: (f) => f.pg1.postgresCpuShare,
  },
  cluster_pg2_postgres_cpu: {
    label: () => 'PostgreSQL server CPU while 2 replicas probe, share of all cores',
    unit: 'ratio',
    value: (f) => f.pg2.postgresCpuShare,
  },
} satisfies Record<string, ClusterFigureSpec>;

export type ClusterFigureKey = keyof typeof CLUSTER_FIGURES;

/** As bench/report/results.ts rounds: 3 digits of a ratio, whole counts per second. */
const rounded = (value: number, unit: Unit): number => {
  const digits = unit === 'ratio' ? 3 : 0;
  return Math.round(value * 10 ** digits) / 10 ** digits;
};

/** The step's figures in latest.json's shape, so the table shows them with their targets and verdicts. */
export function clusterResults(
  figures: ClusterFigures,
  services: number,
  lanes: number,
): Record<ClusterFigureKey, FigureResult> {
  const specs: Record<ClusterFigureKey, ClusterFigureSpec> = CLUSTER_FIGURES;
  const entries = Object.entries(specs) as [ClusterFigureKey, ClusterFigureSpec][];
  return Object.fromEntries(
    entries.map(([key, spec]): [ClusterFigureKey, FigureResult] => {
      const raw = spec.value(figures);
      if (raw === null || !Number.isFinite(raw) || raw <= 0) throw new Error(`cluster figure ${key} is ${raw}`);
      const value = rounded(raw, spec.unit);
      const target = spec.target ? { ...spec.target, text: targetText(spec.target, spec.unit) } : null;
      const met = target === null ? null : target.op === '>=' ? value >= target.value : value <= target.value;
      return [key, { section: SECTION, label: spec.label(services, lanes), value, unit: spec.unit, target, met }];
    }),
  ) as Record<ClusterFigureKey, FigureResult>;
}
