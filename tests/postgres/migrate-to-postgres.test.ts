// `migrate-to-postgres`, run as a process: a SQLite database with history, copied into PostgreSQL, gives
// the same services, history, uptime and event log; a non-empty target is refused unless --force.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HOUR_MS, type ProbeOutcome } from '../../src/domain/index.js';
import { PostgresPersistence } from '../../src/store/postgres/postgres-persistence.js';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import type { ServiceStore } from '../../src/store/store.js';
import { HEALTHY, openStore, probeResult, registration } from '../helpers/fixtures.js';
import { createTestDatabase, dropTestDatabase, dropTestDatabases } from '../helpers/postgres.js';
import { spawnNode } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

after(dropTestDatabases);

const DOWN: ProbeOutcome = { kind: 'http_status', status: 503 };
const START = Date.UTC(2026, 10, 1);

/** A SQLite database with 30 services probed over 5 hours, with transitions; closed, at `path`. */
async function sqliteWithHistory(path: string, now: { at: number }): Promise<void> {
  const store = await openStore({ persistence: SqlitePersistence.open(path), now: () => now.at });
  const generations = new Map<string, number>();
  for (let i = 0; i < 30; i++) {
    const answer = await store.register(
      registration(`svc-${i}`, `http://h:${1000 + i}`, { attributes: { team: `t${i % 3}` } }),
    );
    generations.set(answer.record.request.id, answer.record.generation);
  }
  for (let hour = 0; hour < 5; hour++) {
    for (let probe = 0; probe < 4; probe++) {
      now.at += HOUR_MS / 4;
      await store.applyResults(
        [...generations].map(([id, generation], i) =>
          probeResult(id, generation, (i + probe + hour) % 3 === 0 ? DOWN : HEALTHY, now.at - 10),
        ),
      );
    }
  }
  await store.deregister('svc-29');
  await store.close();
}

async function snapshot(store: ServiceStore) {
  const services = store.list().map((record) => ({ ...record, lastScheduledAt: null }));
  const histories = await Promise.all(
    services.map((record) => store.history(record.request.id, { limit: 1000, beforeId: null })),
  );
  const uptimes = await Promise.all(services.map((record) => store.uptime(record.request.id)));
  return { services, histories, uptimes, events: await store.eventsAfter(0, 10_000), lastEventId: store.lastEventId };
}

function migrate(from: string, to: string, ...extra: string[]) {
  return spawnNode('src/migrate-to-postgres.js', ['--from', from, '--to', to, ...extra]);
}

test('a SQLite database with history, copied into PostgreSQL, reads the same: services, history, uptime, event log', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  const now = { at: START };
  await sqliteWithHistory(path, now);
  const url = await createTestDatabase();
  try {
    const copy = migrate(path, url);
    assert.equal((await copy.exited).code, 0, copy.output());
    assert.match(copy.output(), /copied 29 services, \d+ transitions, \d+ hourly aggregates and \d+ log entries/);

    const fromSqlite = await openStore({ persistence: SqlitePersistence.open(path), now: () => now.at });
    const fromPostgres = await openStore({ persistence: await PostgresPersistence.open(url), now: () => now.at });
    try {
      const expected = await snapshot(fromSqlite);
      assert.ok(
        expected.histories.some((history) => history.length > 2),
        'the source has history to copy',
      );
      assert.deepEqual(await snapshot(fromPostgres), expected);
      // New ids continue after the copied ones.
      await fromPostgres.register(registration('after-copy'));
      assert.ok(fromPostgres.lastEventId > expected.lastEventId);
    } finally {
      await fromSqlite.close();
      await fromPostgres.close();
    }
  } finally {
    await dropTestDatabase(url);
  }
});

test('a target that already holds a monitor’s rows is refused and left as it was; --force replaces them', async (t) => {
  const path = join(tempDir(t), 'monitor.db');
  await sqliteWithHistory(path, { at: START });
  const url = await createTestDatabase();
  try {
    const target = await openStore({ persistence: await PostgresPersistence.open(url) });
    await target.register(registration('already-there'));
    await target.close();

    const refused = migrate(path, url);
    assert.equal((await refused.exited).code, 1);
    assert.match(refused.output(), /already holds \d+ rows of a monitor; --force replaces them/);
    let check = await openStore({ persistence: await PostgresPersistence.open(url) });
    assert.deepEqual(
      check.list().map((record) => record.request.id),
      ['already-there'],
    );
    await check.close();

    const forced = migrate(path, url, '--force');
    assert.equal((await forced.exited).code, 0, forced.output());
    check = await openStore({ persistence: await PostgresPersistence.open(url) });
    assert.equal(check.size, 29);
    assert.equal(check.get('already-there'), undefined);
    await check.close();
  } finally {
    await dropTestDatabase(url);
  }
});

test('bad arguments and a file that is not a monitor database: a clear error, nothing written', async (t) => {
  const url = await createTestDatabase();
  try {
    const missing = spawnNode('src/migrate-to-postgres.js', ['--from', 'x.db']);
    assert.equal((await missing.exited).code, 2);
    assert.match(missing.output(), /--from and --to are both needed/);

    const badUrl = migrate('x.db', 'mysql://u:pw-s3cret@h/db');
    assert.equal((await badUrl.exited).code, 2);
    assert.match(badUrl.output(), /--to must use postgres:\/\//);
    assert.ok(!badUrl.output().includes('pw-s3cret'));

    const noFile = migrate(join(tempDir(t), 'absent.db'), url);
    assert.equal((await noFile.exited).code, 1);
    assert.match(noFile.output(), /cannot open .*absent\.db/);
  } finally {
    await dropTestDatabase(url);
  }
});
