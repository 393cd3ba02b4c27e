// Migrations on a real PostgreSQL: replicas starting together on an empty database do not race, and a
// schema newer than this monitor is refused without being touched.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { migratePostgres, POSTGRES_LATEST_VERSION } from '../../src/store/postgres/migrations.js';
import { connect } from '../../src/store/postgres/postgres-persistence.js';
import { createTestDatabase, dropTestDatabase, dropTestDatabases } from '../helpers/postgres.js';

after(dropTestDatabases);

test('five replicas migrating one empty database at once: all succeed, each migration runs once', async () => {
  const url = await createTestDatabase();
  const pools = Array.from({ length: 5 }, () => connect(url));
  try {
    await Promise.all(pools.map((sql) => migratePostgres(sql)));
    const [first] = pools;
    assert.ok(first);
    const applied = await first<{ version: number }[]>`SELECT version FROM schema_migrations ORDER BY version`;
    assert.deepEqual(
      applied.map((row) => row.version),
      Array.from({ length: POSTGRES_LATEST_VERSION }, (_, i) => i + 1),
    );
  } finally {
    await Promise.all(pools.map((sql) => sql.end({ timeout: 1 })));
    await dropTestDatabase(url);
  }
});

test('a schema newer than this monitor knows is refused, and left as it was', async () => {
  const url = await createTestDatabase();
  const sql = connect(url);
  try {
    await migratePostgres(sql);
    await sql`INSERT INTO schema_migrations (version, description) VALUES (${POSTGRES_LATEST_VERSION + 1}, 'from the future')`;
    await assert.rejects(migratePostgres(sql), /newer than this monitor knows/);
    const [row] = await sql<{ version: number }[]>`SELECT max(version) AS version FROM schema_migrations`;
    assert.equal(row?.version, POSTGRES_LATEST_VERSION + 1);
  } finally {
    await sql.end({ timeout: 1 });
    await dropTestDatabase(url);
  }
});
