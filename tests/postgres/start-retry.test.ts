// PostgreSQL unreachable at start: the monitor stays up, says why on /healthz with 503, retries with
// backoff, and serves once the database is there, with no crash loop and no password in what it says.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import postgres from 'postgres';
import { ADMIN_URL, dropTestDatabases } from '../helpers/postgres.js';
import { register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

after(dropTestDatabases);

test('a database that is not there yet: 503 with the reason, retries, then serves once it exists', async () => {
  const name = `hm_later_${process.pid}`;
  const url = new URL(ADMIN_URL);
  url.username = 'postgres';
  url.password = 'pw-hidden';
  url.pathname = `/${name}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const monitor = await spawnMonitor([], { DATABASE_URL: url.toString(), LEASE_TTL_MS: '2000' });
  try {
    const starting = await fetch(`${monitor.url}/healthz`);
    assert.equal(starting.status, 503);
    const body = (await starting.json()) as { status: string; reason: string };
    assert.equal(body.status, 'starting');
    assert.match(body.reason, new RegExp(`${name}.*does not exist`));
    assert.ok(!body.reason.includes('pw-hidden'), 'the reason shows no password');
    const refused = await register(monitor.url, { id: 'early', url: 'http://127.0.0.1:1023' });
    assert.equal(refused.status, 503, 'nothing is accepted before the database is there');

    await admin.unsafe(`CREATE DATABASE ${name}`);
    await waitFor(
      async () => (await fetch(`${monitor.url}/healthz`)).status === 200 || undefined,
      'the monitor to serve once the database exists',
      15_000,
    );
    assert.equal(monitor.child.exitCode, null, 'it never exited');
    assert.equal((await register(monitor.url, { id: 'later', url: 'http://127.0.0.1:1023' })).status, 201);
    const attempts = monitor.output().match(/database unreachable: retrying/g)?.length ?? 0;
    assert.ok(attempts >= 1, 'it said it was retrying');
    assert.ok(!monitor.output().includes('pw-hidden'), 'the log shows no password');
  } finally {
    await monitor.stop();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end({ timeout: 1 });
  }
});
