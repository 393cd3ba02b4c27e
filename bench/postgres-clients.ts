// pg or postgres (porsager)? Measured on the monitor's own storage workload, so the choice rests on figures
// (docs/postgres-client.md). Run: npx tsc -p tsconfig.json --outDir .scratch/dist-pgc && node .scratch/dist-pgc/bench/postgres-clients.js
import os from 'node:os';
import pg from 'pg';
import postgres from 'postgres';

const SERVER = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DB = `clientbench_${process.pid}`;
const URL = `${SERVER}/${DB}`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SERVICES = 10_000;
const BATCH = 50;
const POOL = 4;
const CALLERS = 64;

interface Batch {
  ids: string[];
  generations: number[];
  states: string[];
  hourStart: number;
  probes: number[];
  successes: number[];
  totalMs: number[];
  histograms: string[];
}

/** What each client must do; SQL is the same text, written the way each client writes it best. */
interface Client {
  name: string;
  register(id: string, state: string, request: string): Promise<void>;
  batchStatements(b: Batch): Promise<void>;
  batchUnnest(b: Batch): Promise<void>;
  readAll(): Promise<number>;
  close(): Promise<void>;
}

const UPSERT_SERVICE = `INSERT INTO services (id, generation, state, request) VALUES ($1, 1, $2::jsonb, $3::jsonb)
  ON CONFLICT (id) DO UPDATE SET generation = services.generation + 1, state = excluded.state, request = excluded.request`;
const INSERT_EVENT = `INSERT INTO events (payload) VALUES ($1::json)`;
const UPSERT_STATE = `INSERT INTO services (id, generation, state, request) VALUES ($1, $2, $3::jsonb, '{}')
  ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, state = excluded.state`;
const HOUR_CONFLICT = `ON CONFLICT (service_id, hour_start) DO UPDATE SET probes = hours.probes + excluded.probes,
  successes = hours.successes + excluded.successes, total_ms = hours.total_ms + excluded.total_ms, histogram = excluded.histogram`;
const UPSERT_HOUR = `INSERT INTO hours VALUES ($1, $2, $3, $4, $5, $6::jsonb) ${HOUR_CONFLICT}`;
const UNNEST_STATES = `INSERT INTO services (id, generation, state, request)
  SELECT id, g, s::jsonb, '{}' FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(id, g, s)
  ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, state = excluded.state`;
const UNNEST_HOURS = `INSERT INTO hours SELECT s, $2::bigint, p, ok, ms, h::jsonb
  FROM unnest($1::text[], $3::int[], $4::int[], $5::float8[], $6::text[]) AS u(s, p, ok, ms, h) ${HOUR_CONFLICT}`;

/** `pipeline` (pg 8.23) sends queued queries without waiting for each answer; here only batchStatements queues them. */
function pgClient(pipeline: boolean): Client {
  const pool = new pg.Pool({ connectionString: URL, max: POOL, pipeline });
  pool.on('error', () => undefined); // an idle client killed by the server emits here; unheard, it ends the process
  const tx = async (work: (c: pg.PoolClient) => Promise<unknown>): Promise<void> => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await work(c);
      await c.query('COMMIT');
      c.release();
    } catch (error) {
      c.release(true);
      throw error;
    }
  };
  return {
    name: pipeline ? 'pg pipe' : 'pg',
    register: (id, state, request) =>
      tx(async (c) => {
        await c.query(UPSERT_SERVICE, [id, state, request]);
        await c.query(INSERT_EVENT, [request]);
      }),
    batchStatements: (b) =>
      tx(async (c) => {
        const queries = [
          () => c.query('SET LOCAL synchronous_commit TO off'),
          ...b.ids.map((id, i) => () => c.query(UPSERT_STATE, [id, b.generations[i], b.states[i]])),
          ...b.ids.map(
            (id, i) => () =>
              c.query(UPSERT_HOUR, [id, b.hourStart, b.probes[i], b.successes[i], b.totalMs[i], b.histograms[i]]),
          ),
        ];
        if (pipeline) await Promise.all(queries.map((q) => q()));
        else for (const q of queries) await q();
      }),
    batchUnnest: (b) =>
      tx(async (c) => {
        await c.query('SET LOCAL synchronous_commit TO off');
        await c.query(UNNEST_STATES, [b.ids, b.generations, b.states]);
        await c.query(UNNEST_HOURS, [b.ids, b.hourStart, b.probes, b.successes, b.totalMs, b.histograms]);
      }),
    readAll: async () => (await pool.query('SELECT * FROM services')).rowCount ?? 0,
    close: () => pool.end(),
  };
}

function postgresClient(): Client {
  const sql = postgres(URL, { max: POOL, onnotice: () => undefined });
  return {
    name: 'postgres',
    register: async (id, state, request) => {
      await sql.begin(async (tx) => {
        await tx.unsafe(UPSERT_SERVICE, [id, state, request], { prepare: true });
        await tx.unsafe(INSERT_EVENT, [request], { prepare: true });
      });
    },
    // Returning the queries as an array pipelines them: all 101 are sent before the first answer arrives.
    batchStatements: async (b) => {
      await sql.begin((tx) => [
        tx`SET LOCAL synchronous_commit TO off`,
        ...b.ids.map((id, i) =>
          tx.unsafe(UPSERT_STATE, [id, b.generations[i] ?? 0, b.states[i] ?? ''], { prepare: true }),
        ),
        ...b.ids.map((id, i) =>
          tx.unsafe(
            UPSERT_HOUR,
            [id, b.hourStart, b.probes[i] ?? 0, b.successes[i] ?? 0, b.totalMs[i] ?? 0, b.histograms[i] ?? ''],
            { prepare: true },
          ),
        ),
      ]);
    },
    batchUnnest: async (b) => {
      await sql.begin(async (tx) => {
        await tx`SET LOCAL synchronous_commit TO off`;
        await tx.unsafe(UNNEST_STATES, [tx.array(b.ids), tx.array(b.generations), tx.array(b.states)], {
          prepare: true,
        });
        const hours = [b.probes, b.successes, b.totalMs].map((a) => tx.array(a));
        await tx.unsafe(UNNEST_HOURS, [tx.array(b.ids), b.hourStart, ...hours, tx.array(b.histograms)], {
          prepare: true,
        });
      });
    },
    readAll: async () => (await sql`SELECT * FROM services`).length,
    close: () => sql.end(),
  };
}

const pad = (s: string, n: number): string => s + 'x'.repeat(Math.max(0, n - s.length));
const state = (n: number): string =>
  JSON.stringify({ health: 'healthy', ready: true, lastProbeAt: Date.now(), lastMs: n % 97, note: pad('', 280) });
const request = (id: string): string =>
  JSON.stringify({ id, url: `http://10.0.0.1:8080/${id}/health`, intervalMs: 5000, timeoutMs: 2000 });

function batch(n: number): Batch {
  const first = (n * BATCH) % SERVICES;
  const ids = Array.from({ length: BATCH }, (_, i) => `svc-${first + i}`);
  return {
    ids,
    generations: ids.map(() => 1),
    states: ids.map((_, i) => state(n + i)),
    hourStart: Math.floor(Date.now() / 3_600_000) * 3_600_000,
    probes: ids.map(() => 1),
    successes: ids.map((_, i) => (i % 10 === 0 ? 0 : 1)),
    totalMs: ids.map((_, i) => 3 + (i % 7)),
    histograms: ids.map((_, i) => JSON.stringify([i % 5, 1, 0, 0, 0, 0, 0, 0])),
  };
}

interface Figure {
  perSecond: number;
  cpuUs: number;
}

/** `callers` loops run `op` for SECONDS; returns operations/s and the process CPU (user+system) per operation. */
async function sustained(callers: number, op: (n: number) => Promise<void>): Promise<Figure> {
  let n = 0;
  const warmUntil = performance.now() + 500;
  await Promise.all(Array.from({ length: callers }, async () => void (await op(n++))));
  while (performance.now() < warmUntil) await op(n++);
  let done = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + SECONDS * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      await op(n++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: callers }, loop));
  const { user, system } = process.cpuUsage(cpu);
  return { perSecond: (done * 1000) / (performance.now() - start), cpuUs: (user + system) / done };
}

async function reads(client: Client): Promise<{ medianMs: number; cpuUs: number }> {
  await client.readAll();
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    if ((await client.readAll()) !== SERVICES) throw new Error('services should hold 10,000 rows');
    times.push(performance.now() - start);
  }
  const { user, system } = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  return { medianMs: ((times[9] ?? 0) + (times[10] ?? 0)) / 2, cpuUs: (user + system) / 20 };
}

/** LISTEN/NOTIFY through postgres.js, and recovery of both clients after pg_terminate_backend of all their connections. */
async function checkReconnect(admin: postgres.Sql): Promise<string[]> {
  const sql = postgres(URL, { max: POOL, onnotice: () => undefined });
  const pool = new pg.Pool({ connectionString: URL, max: POOL });
  pool.on('error', () => undefined);
  const heard: string[] = [];
  await sql.listen('bench', (payload) => void heard.push(payload));
  await Promise.all([sql`SELECT pg_sleep(0.05)`, sql`SELECT 1`, pool.query('SELECT 1'), pool.query('SELECT 2')]);
  await sql`SELECT pg_notify('bench', 'before')`;
  const wait = async (what: string): Promise<number> => {
    const start = performance.now();
    while (!heard.includes(what) && performance.now() - start < 10_000) await new Promise((r) => setTimeout(r, 10));
    return heard.includes(what) ? Math.round(performance.now() - start) : -1;
  };
  const before = await wait('before');
  const killed = await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${DB}`;
  await new Promise((r) => setTimeout(r, 200));
  const outcome = async (q: () => Promise<unknown>): Promise<string> =>
    q().then(
      () => 'ok',
      (e: unknown) => `failed (${e instanceof Error ? e.message : String(e)})`,
    );
  const sqlAfter = await outcome(() => sql`SELECT 1`);
  const pgAfter = await outcome(() => pool.query('SELECT 1'));
  await sql`SELECT pg_notify('bench', 'after')`;
  const after = await wait('after');
  await Promise.all([sql.end(), pool.end()]);
  return [
    `postgres LISTEN: notification heard in ${before} ms; ${killed.length} backends terminated;`,
    `  after: postgres query ${sqlAfter}, pg pool query ${pgAfter}, notification heard in ${after} ms (-1 = never)`,
  ];
}

async function main(): Promise<void> {
  const admin = postgres(`${SERVER}/test`, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${DB}`);
  const db = postgres(URL, { max: 1, onnotice: () => undefined });
  try {
    await db.unsafe(`
      CREATE TABLE services (id text PRIMARY KEY, generation bigint NOT NULL, state jsonb, request jsonb);
      CREATE TABLE hours (service_id text, hour_start bigint, probes int, successes int, total_ms double precision,
        histogram jsonb, PRIMARY KEY (service_id, hour_start));
      CREATE TABLE events (id bigserial PRIMARY KEY, payload json NOT NULL);`);
    const ids = Array.from({ length: SERVICES }, (_, i) => `svc-${i}`);
    await db`INSERT INTO services SELECT id, 1, ${state(0)}::jsonb, ${request('svc')}::jsonb FROM unnest(${db.array(ids)}::text[]) AS id`;
    const [version] = await db<{ server_version: string }[]>`SHOW server_version`;
    console.log(
      `node ${process.version}, ${os.cpus().length} cores, PostgreSQL ${version?.server_version}, ${SECONDS} s per figure`,
    );
    const rows: string[][] = [];
    const clients = [() => pgClient(false), () => pgClient(true), postgresClient];
    if (process.env.BENCH_REVERSE === '1') clients.reverse(); // to see whether running second helps or hurts
    for (const make of clients) {
      const c = make();
      const a = await sustained(CALLERS, (n) => c.register(`svc-${(n * 7919) % SERVICES}`, state(n), request('r')));
      const bs = await sustained(1, (n) => c.batchStatements(batch(n)));
      const bu = await sustained(1, (n) => c.batchUnnest(batch(n)));
      const r = await reads(c);
      await c.close();
      const f = (x: Figure, scale = 1): string => `${Math.round(x.perSecond * scale)} (${Math.round(x.cpuUs)})`;
      rows.push([
        c.name,
        f(a),
        f(bs, 2 * BATCH),
        f(bu, 2 * BATCH),
        `${r.medianMs.toFixed(1)} (${Math.round(r.cpuUs)})`,
      ]);
    }
    const head = ['client', 'a. register tx/s', 'b. 100 stmts rows/s', 'b. unnest rows/s', 'c. read 10k ms'];
    for (const row of [head, ...rows]) console.log(row.map((x, i) => x.padEnd(i === 0 ? 9 : 21)).join(''));
    console.log('(in brackets: process CPU µs per transaction, batch or read; a: 64 callers, pool 4; b: one writer)');
    for (const line of await checkReconnect(admin)) console.log(line);
  } finally {
    await db.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
