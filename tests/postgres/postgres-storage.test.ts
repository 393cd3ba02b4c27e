// The monitor on PostgreSQL (DATABASE_URL), spawned as a real process against a database of its own.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { MetricsEntry } from '../../src/api/views.js';
import postgres from 'postgres';
import { POSTGRES_LATEST_VERSION } from '../../src/store/postgres/migrations.js';
import { createTestDatabase, dropTestDatabase, dropTestDatabases } from '../helpers/postgres.js';
import { metrics, register } from '../helpers/monitor-requests.js';
import { spawnMonitor, spawnNode } from '../helpers/processes.js';
import { json, startTarget } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';

after(dropTestDatabases);

test('every registration answered 201 on PostgreSQL survives kill -9, with its last state and history', async () => {
  const databaseUrl = await createTestDatabase();
  const target = await startTarget((req, res) =>
    req.url?.startsWith('/down') ? json(res, {}, 503) : json(res, { uptime_sec: 5, request_count: 10, error_count: 0 }),
  );
  const first = await spawnMonitor([], { DATABASE_URL: databaseUrl });
  let second: Awaited<ReturnType<typeof spawnMonitor>> | null = null;
  try {
    const ids = Array.from({ length: 40 }, (_, i) => `pg-${i}`);
    const answers = await Promise.all(
      ids.map((id, i) =>
        register(first.url, { id, url: i % 2 === 0 ? target.url : `${target.url}/down`, poll_interval_sec: 3600 }),
      ),
    );
    assert.deepEqual(
      answers.map((answer) => answer.status),
      ids.map(() => 201),
    );
    await waitFor(
      async () => (await metrics(first.url)).every((m) => m.health !== 'unknown') || undefined,
      'all probed',
    );
    // Each state is written with its first transition in a probe batch, which is not waited for (and
    // batches gather for a moment on PostgreSQL): let every one land.
    await waitFor(async () => {
      const pages = await Promise.all(
        ids.map(
          async (id) =>
            (await (await fetch(`${first.url}/services/${id}/history`)).json()) as { transitions: unknown[] },
        ),
      );
      return pages.every((page) => page.transitions.length > 0) || undefined;
    }, 'every first transition stored');
    const before = await metrics(first.url);
    first.child.kill('SIGKILL');
    await first.exited;

    second = await spawnMonitor([], { DATABASE_URL: databaseUrl });
    const restored = await metrics(second.url);
    const comparable = (list: MetricsEntry[]) => list.map(({ last_checked, last_checked_age_sec, ...rest }) => rest);
    assert.deepEqual(comparable(restored), comparable(before));
    assert.equal(restored.length, 40);
    assert.equal(restored.find((m) => m.service === 'pg-1')?.last_error, 'HTTP 503');
    assert.match(second.output(), /"services":40.*"msg":"registry loaded"/);
    assert.ok(!second.output().includes('password'), 'the log does not show a password');
  } finally {
    await first.stop();
    await second?.stop();
    await target.close();
    await dropTestDatabase(databaseUrl);
  }
});

test('a malformed DATABASE_URL is refused at start with exit 2, naming the problem and never the password', async () => {
  for (const [url, reason] of [
    ['mysql://monitor:pw-s3cret@db/health', /must use postgres:\/\/ or postgresql:\/\//],
    ['postgres://monitor:pw-s3cret@db:5432', /must name a database/],
    ['postgres//monitor:pw-s3cret@db/health', /must be a URL/],
  ] as const) {
    const monitor = spawnNode('src/main.js', ['--port', '0', '--db-path', ':memory:'], { DATABASE_URL: url });
    assert.equal((await monitor.exited).code, 2, url);
    assert.match(monitor.output(), /DATABASE_URL \(value hidden\)/);
    assert.match(monitor.output(), reason);
    assert.ok(!monitor.output().includes('pw-s3cret'), `the error for ${url} shows the password`);
  }
});

test('--database-url selects PostgreSQL too, and the migrations leave the schema at its latest version', async () => {
  const databaseUrl = await createTestDatabase();
  const monitor = await spawnMonitor(['--database-url', databaseUrl]);
  try {
    const answer = await register(monitor.url, { id: 'flag', url: 'http://127.0.0.1:59999/', poll_interval_sec: 3600 });
    assert.equal(answer.status, 201);
  } finally {
    await monitor.stop();
  }
  const second = await spawnMonitor(['--database-url', databaseUrl]);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    assert.deepEqual(
      (await metrics(second.url)).map((m) => m.service),
      ['flag'],
    );
    // Each migration ran once, though the monitor started twice.
    const applied = await sql<
      { version: number }[]
    >`SELECT version FROM health_monitor.schema_migrations ORDER BY version`;
    assert.deepEqual(
      applied.map((row) => row.version),
      Array.from({ length: POSTGRES_LATEST_VERSION }, (_, i) => i + 1),
    );
  } finally {
    await sql.end({ timeout: 1 });
    await second.stop();
    await dropTestDatabase(databaseUrl);
  }
});
