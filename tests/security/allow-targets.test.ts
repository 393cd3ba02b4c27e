// ALLOW_TARGETS and the metadata refusal in a spawned monitor: registration, then the probe's connection.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { json, startTarget } from '../helpers/target.js';
import { spawnMonitor } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sleep } from '../helpers/wait.js';

/** Counts connections (`connections`): proof that a refused probe never connected. */
const startHealthyTarget = () =>
  startTarget((_request, response) => json(response, { uptime_sec: 1, request_count: 1, error_count: 0 }));

interface ServiceView {
  readonly health: string;
  readonly reason: string;
  readonly last_checked_at: string | null;
}

async function register(monitorUrl: string, id: string, url: string): Promise<Response> {
  return fetch(`${monitorUrl}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, url, poll_interval_sec: 1 }),
  });
}

/** The service once a probe after `since` (an ISO time) has been applied. */
async function probedSince(monitorUrl: string, id: string, since = ''): Promise<ServiceView> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const view = (await (await fetch(`${monitorUrl}/services/${id}`)).json()) as ServiceView;
    if (view.last_checked_at !== null && view.last_checked_at > since) return view;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${id} to be probed after ${since || 'start'}`);
    await sleep(50);
  }
}

test('ALLOW_TARGETS=localhost,10.0.0.0/8: localhost is registered, but its probe is refused because it resolves to 127.0.0.1', async (t) => {
  const target = await startHealthyTarget();
  const monitor = await spawnMonitor([], { ALLOW_TARGETS: 'localhost,10.0.0.0/8' });
  t.after(async () => {
    await monitor.stop();
    await target.close();
  });
  assert.equal((await register(monitor.url, 'local', `http://localhost:${target.port}`)).status, 201);
  const service = await probedSince(monitor.url, 'local');
  assert.equal(service.health, 'dead');
  assert.equal(service.reason, 'localhost resolved to 127.0.0.1, which is not in ALLOW_TARGETS');
  assert.equal(target.connections, 0, 'the target never saw a connection');
});

test('ALLOW_TARGETS=localhost,127.0.0.0/8: the same registration is probed', async (t) => {
  const target = await startHealthyTarget();
  const monitor = await spawnMonitor([], { ALLOW_TARGETS: 'localhost,127.0.0.0/8' });
  t.after(async () => {
    await monitor.stop();
    await target.close();
  });
  assert.equal((await register(monitor.url, 'local', `http://localhost:${target.port}`)).status, 201);
  assert.equal((await probedSince(monitor.url, 'local')).health, 'healthy');
  assert.ok(target.connections >= 1);
});

test('a record registered under a looser ALLOW_TARGETS is refused after a restart with a stricter one', async (t) => {
  const target = await startHealthyTarget();
  const dbPath = join(tempDir(t), 'hm.db');
  t.after(() => target.close());
  const loose = await spawnMonitor(['--db-path', dbPath]);
  try {
    assert.equal((await register(loose.url, 'literal', `http://127.0.0.1:${target.port}`)).status, 201);
    assert.equal((await probedSince(loose.url, 'literal')).health, 'healthy');
  } finally {
    await loose.stop();
  }
  const connectionsBefore = target.connections;
  const restartedAt = new Date().toISOString();
  const strict = await spawnMonitor(['--db-path', dbPath], { ALLOW_TARGETS: 'localhost' });
  t.after(() => strict.stop());
  const service = await probedSince(strict.url, 'literal', restartedAt);
  assert.equal(service.health, 'dead');
  assert.equal(service.reason, 'host 127.0.0.1 is not in ALLOW_TARGETS');
  assert.equal(target.connections, connectionsBefore, 'no connection after the restart');
});

test('without ALLOW_TARGETS the metadata address is refused at registration, in any spelling, naming the reason', async (t) => {
  const monitor = await spawnMonitor();
  t.after(() => monitor.stop());
  for (const url of [
    'http://169.254.169.254/latest/meta-data',
    'http://0xa9fea9fe',
    'http://2852039166',
    'http://[::ffff:169.254.169.254]',
    'http://[fd00:ec2::254]',
  ]) {
    const response = await register(monitor.url, 'imds', url);
    assert.equal(response.status, 400, url);
    const { error } = (await response.json()) as {
      error: { code: string; details: { field: string; message: string }[] };
    };
    assert.equal(error.code, 'invalid_registration');
    assert.equal(error.details[0]?.field, 'url');
    assert.match(
      error.details[0]?.message ?? '',
      /is the cloud metadata address, refused unless an ALLOW_TARGETS address or range covers it/,
      url,
    );
  }
  assert.equal(((await fetch(`${monitor.url}/services`).then((response) => response.json())) as unknown[]).length, 0);
});
