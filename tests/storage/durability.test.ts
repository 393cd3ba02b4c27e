// The registry survives restarts and crashes; a bad database is refused at start and left alone.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MetricsEntry } from '../../src/api/views.js';
import { metrics, register } from '../helpers/monitor-requests.js';
import { spawnMonitor, spawnNode } from '../helpers/processes.js';
import { connectSse } from '../helpers/sse-client.js';
import { json, startTarget } from '../helpers/target.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

test('restart: the same services, states and counters are there before the first new probe', async (t) => {
  const dbPath = join(tempDir(t), 'data', 'monitor.db');
  let probes = 0;
  const target = await startTarget((req, res) =>
    req.url?.startsWith('/down')
      ? json(res, {}, 503)
      : json(res, { uptime_sec: 100, request_count: 10 * ++probes, error_count: probes }),
  );
  const intervalSec = 3600;
  // A restored service is next due one interval after its last probe began: long after this test.
  const first = await spawnMonitor(['--db-path', dbPath]);
  let second: Awaited<ReturnType<typeof spawnMonitor>> | null = null;
  try {
    assert.equal(
      (
        await register(first.url, {
          id: 'restart-up',
          url: target.url,
          poll_interval_sec: intervalSec,
          attributes: { env: 'prod' },
        })
      ).status,
      201,
    );
    assert.equal(
      (await register(first.url, { id: 'restart-down', url: `${target.url}/down`, poll_interval_sec: intervalSec }))
        .status,
      201,
    );
    let before: MetricsEntry[] = [];
    await waitFor(() => target.requests.length >= 2 || undefined, 'both probed');
    for (let i = 0; i < 50 && before.filter((m) => m.health !== 'unknown').length < 2; i++) {
      before = await metrics(first.url);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.child.kill('SIGTERM');
    assert.equal((await first.exited).code, 0);
    const requestsBeforeRestart = target.requests.length;

    second = await spawnMonitor(['--db-path', dbPath]);
    const after = await metrics(second.url);
    assert.equal(target.requests.length, requestsBeforeRestart, 'no probe happened yet');
    const comparable = (list: MetricsEntry[]) => list.map(({ last_checked, last_checked_age_sec, ...rest }) => rest);
    assert.deepEqual(comparable(after), comparable(before));
    assert.equal(after[1]?.health, 'healthy');
    assert.equal(after[1]?.request_count, 10);
    assert.equal(after[0]?.health, 'unhealthy');
    assert.equal(after[0]?.last_error, 'HTTP 503');
    // The age is the truth: counted from the stored check time, not from the restart.
    assert.ok((after[1]?.last_checked_age_sec ?? -1) >= 0);
    assert.match(second.output(), /"services":2.*"msg":"registry loaded"/);
  } finally {
    await first.stop();
    await second?.stop();
    await target.close();
  }
});

test('crash: every acknowledged registration survives SIGKILL during 2,000 concurrent registrations', async (t) => {
  const dbPath = join(tempDir(t), 'monitor.db');
  const monitor = await spawnMonitor(['--db-path', dbPath]);
  const firing = spawnNode('tests/helpers/fire-registrations.js', [monitor.url, '2000', 'crash']);
  const acknowledged = (): string[] => [...firing.output().matchAll(/^ack (\S+)$/gm)].map((match) => match[1] ?? '');
  let restarted: Awaited<ReturnType<typeof spawnMonitor>> | null = null;
  try {
    await waitFor(() => acknowledged().length >= 200 || undefined, '200 acknowledgements', 30_000);
    monitor.child.kill('SIGKILL');
    await monitor.exited;
    await firing.exited;
    const acked = acknowledged();
    assert.ok(acked.length < 2000, `the kill came after all ${acked.length} acknowledgements; the test proved nothing`);

    restarted = await spawnMonitor(['--db-path', dbPath]);
    const stored = new Set(
      ((await (await fetch(`${restarted.url}/services`)).json()) as { id: string }[]).map((s) => s.id),
    );
    const lost = acked.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged registrations were lost`);
  } finally {
    await monitor.stop();
    await firing.stop();
    await restarted?.stop();
  }
});

test('a corrupt database file: clear error, non-zero exit, the file untouched', async (t) => {
  const dbPath = join(tempDir(t), 'monitor.db');
  const garbage = Buffer.from('definitely not SQLite '.repeat(500));
  writeFileSync(dbPath, garbage);
  const monitor = spawnNode('src/main.js', ['--port', '0', '--db-path', dbPath]);
  const { code } = await monitor.exited;
  assert.equal(code, 1);
  assert.match(
    monitor.output(),
    /DB_PATH .*monitor\.db is not a usable health-monitor database \(file is not a database\); it was left untouched/,
  );
  assert.deepEqual(readFileSync(dbPath), garbage);
});

test('an unwritable directory: clear error and non-zero exit', async (t) => {
  const dir = join(tempDir(t), 'locked');
  mkdirSync(dir);
  chmodSync(join(dir, '..'), 0o755);
  chmodSync(dir, 0o555);
  // Root ignores permissions: run the monitor as nobody, as an unprivileged service would run.
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const monitor = spawnNode('src/main.js', ['--port', '0', '--db-path', join(dir, 'monitor.db')], {}, asNobody);
  const { code } = await monitor.exited;
  assert.equal(code, 1, monitor.output());
  assert.match(
    monitor.output(),
    /health-monitor: cannot open DB_PATH .*locked\/monitor\.db: unable to open database file/,
  );
});

test('events missed across a monitor restart are replayed to a client that resumes with Last-Event-ID', async (t) => {
  const dbPath = join(tempDir(t), 'monitor.db');
  const first = await spawnMonitor(['--db-path', dbPath]);
  let second: Awaited<ReturnType<typeof spawnMonitor>> | null = null;
  try {
    const before = await connectSse(`${first.url}/events`);
    assert.equal(
      (await register(first.url, { id: 'before-restart', url: 'http://127.0.0.1:19999/x', poll_interval_sec: 3600 }))
        .status,
      201,
    );
    await before.waitFor((messages) => messages.some((m) => m.event === 'registered'), 'the registration event');
    const lastSeen = before.events().at(-1)?.id;
    assert.ok(lastSeen !== undefined && lastSeen !== null);
    // The rest of what the first monitor logs (the probe's transition) is missed by this client.
    assert.equal(
      (await register(first.url, { id: 'missed', url: 'http://127.0.0.1:19999/y', poll_interval_sec: 3600 })).status,
      201,
    );
    before.close();
    first.child.kill('SIGTERM');
    assert.equal((await first.exited).code, 0);

    second = await spawnMonitor(['--db-path', dbPath]);
    const resumed = await connectSse(`${second.url}/events`, { 'last-event-id': String(lastSeen) });
    assert.equal(
      (await register(second.url, { id: 'after-restart', url: 'http://127.0.0.1:19999/z', poll_interval_sec: 3600 }))
        .status,
      201,
    );
    await resumed.waitFor(
      (messages) => messages.some((m) => m.event === 'registered' && m.data.includes('after-restart')),
      'the registration after the restart',
    );
    const ids = resumed.events().map((m) => m.id ?? 0);
    assert.ok(
      ids.every((id, i) => id > lastSeen && (i === 0 || id === (ids[i - 1] ?? 0) + 1)),
      `contiguous ids after ${lastSeen}: ${ids.join(',')}`,
    );
    assert.ok(
      resumed.events().some((m) => m.event === 'registered' && m.data.includes('"missed"')),
      'the missed registration is replayed',
    );
    assert.ok(
      !resumed.events().some((m) => m.data.includes('before-restart') && m.event === 'registered'),
      'nothing already seen is sent again',
    );
    resumed.close();
  } finally {
    await first.stop();
    await second?.stop();
  }
});
