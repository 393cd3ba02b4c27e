// Connections cut while queries are in flight (a database restart, a failover, a proxy dropping idle
// sockets) must fail those queries, never the process, and the pool must work again afterwards.
// postgres.js 3.4.10 threw from a deferred write on a closed socket and left a rejected type fetch
// unhandled; patches/ fixes both, and this test fails without the patch.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import postgres from 'postgres';
import { connect } from '../../src/store/postgres/postgres-persistence.js';
import { createTestDatabase, dropTestDatabases } from '../helpers/postgres.js';
import { sleep, waitFor } from '../helpers/wait.js';

after(dropTestDatabases);

const CUT_FOR_MS = 6000;
const CUT_EVERY_MS = 10;
/** Several pools: more connections starting up (and fetching types) when a cut lands. */
const POOLS = 4;
const WORKERS_PER_POOL = 8;
/** A query on a live server answers in milliseconds; one pending this long waits on a dead connection. */
const SETTLE_WITHIN_MS = 10_000;

test('backends terminated under load: queries fail, the process does not, and the pool recovers', async () => {
  const url = await createTestDatabase();
  const database = new URL(url).pathname.slice(1);
  const escaped: unknown[] = [];
  const onEscape = (error: unknown): void => void escaped.push(error);
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  const pools = Array.from({ length: POOLS }, () => connect(url));
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    let answered = 0;
    let failed = 0;
    let stop = false;
    const worker = async (sql: postgres.Sql): Promise<void> => {
      while (!stop) {
        try {
          await sql`SELECT ${answered}::bigint AS n, ARRAY[1, 2]::integer[] AS xs`;
          answered++;
        } catch {
          failed++;
          await sleep(5);
        }
      }
    };
    const workers = pools.flatMap((sql) => Array.from({ length: WORKERS_PER_POOL }, () => worker(sql)));
    const until = Date.now() + CUT_FOR_MS;
    while (Date.now() < until) {
      await admin`
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = ${database} AND application_name = 'health-monitor'`;
      await sleep(CUT_EVERY_MS);
    }
    stop = true;
    const settled = await Promise.race([
      Promise.all(workers).then(() => 'settled' as const),
      sleep(SETTLE_WITHIN_MS).then(() => 'hung' as const),
    ]);
    assert.equal(settled, 'settled', `queries still pending ${SETTLE_WITHIN_MS} ms after the cuts stopped`);

    assert.deepEqual(
      escaped.map((error) => (error instanceof Error ? (error.stack ?? error.message) : String(error))),
      [],
      'errors that escaped the queries that caused them',
    );
    assert.ok(failed > 0, `the cuts failed some queries (answered ${answered})`);
    for (const sql of pools) {
      const rows = await waitFor(
        () =>
          Promise.race([
            sql`SELECT 42::bigint AS n`.catch(() => undefined),
            sleep(SETTLE_WITHIN_MS).then(() => undefined),
          ]),
        'a query to succeed on every pool once the cuts stop',
      );
      assert.equal(rows[0]?.['n'], 42);
    }
  } finally {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
    await Promise.all(pools.map((sql) => sql.end({ timeout: 1 })));
    await admin.end({ timeout: 1 });
  }
});
