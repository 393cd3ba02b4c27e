// grpc:// and grpcs:// through a spawned monitor: SERVING is healthy and NOT_SERVING turns the service
// unhealthy within one interval, named in every place an outcome shows; an unknown grpc_service, a
// server that never answers, a closed port and an unverifiable certificate each read as they should;
// a certificate the monitor trusts that expires in 5 days makes it degraded (as for https); and a
// removed service's connection is closed by the probe thread that held it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeCertificate } from '../helpers/certificate.js';
import { startCountingRelay, startGrpcTarget, startSilentPort } from '../helpers/grpc-target.js';
import { metrics, register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

const INTERVAL_MS = 1000;

test('grpc: SERVING healthy, NOT_SERVING unhealthy within an interval everywhere; failures dead; grpcs verified; removal closes', async (t) => {
  const server = await startGrpcTarget({ '': 'SERVING' });
  t.after(() => server.close());
  const relay = await startCountingRelay(server.port);
  t.after(() => relay.close());
  const silent = await startSilentPort();
  t.after(() => silent.close());
  const closed = await startSilentPort();
  await closed.close();
  const dir = tempDir(t);
  const secure = await startGrpcTarget({ '': 'SERVING' }, makeCertificate(dir, 30));
  t.after(() => secure.close());
  // Trusted through grpc-js's own roots file: a chain that verifies, whose expiry is read.
  const expiring = await startGrpcTarget({ '': 'SERVING' }, makeCertificate(dir, 5));
  t.after(() => expiring.close());
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const monitor = await spawnMonitor(['--webhook-urls', receiver.url], {
    GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: join(dir, 'cert-5.pem'),
  });
  t.after(() => monitor.stop());

  const services = [
    { id: 'ledger', url: `grpc://127.0.0.1:${relay.port}` },
    { id: 'unknown-name', url: server.url, grpc_service: 'no.such.Service' },
    { id: 'silent', url: `grpc://127.0.0.1:${silent.port}`, timeout_ms: 500 },
    { id: 'closed', url: `grpc://127.0.0.1:${closed.port}` },
    { id: 'self-signed', url: secure.url },
    { id: 'self-signed-skipped', url: secure.url, tls_skip_verify: true },
    { id: 'trusted-expiring', url: expiring.url },
  ];
  for (const service of services) {
    const answer = await register(monitor.url, { poll_interval_sec: INTERVAL_MS / 1000, ...service });
    assert.equal(answer.status, 201, await answer.text());
  }
  const entryOf = async (id: string) => (await metrics(monitor.url)).find((entry) => entry.service === id);
  await waitFor(
    async () => {
      const entries = await metrics(monitor.url);
      const health = (id: string) => entries.find((entry) => entry.service === id)?.health;
      return (
        health('ledger') === 'healthy' &&
        health('unknown-name') === 'unhealthy' &&
        health('silent') === 'dead' &&
        health('closed') === 'dead' &&
        health('self-signed') === 'dead' &&
        health('self-signed-skipped') === 'healthy' &&
        health('trusted-expiring') === 'degraded'
      );
    },
    'every service read as expected',
    10_000,
  );
  assert.equal((await entryOf('unknown-name'))?.last_error, 'gRPC health SERVICE_UNKNOWN');
  assert.equal((await entryOf('silent'))?.last_error, 'timeout after 500 ms');
  assert.equal((await entryOf('closed'))?.last_error, 'connection refused (ECONNREFUSED)');
  assert.match((await entryOf('self-signed'))?.last_error ?? '', /certificate/i);
  const trusted = (await (await fetch(`${monitor.url}/services/trusted-expiring`)).json()) as {
    reason: string;
    tls: { days_left: number } | null;
  };
  assert.match(trusted.reason, /^TLS certificate expires in 4 days/);
  assert.equal(trusted.tls?.days_left, 4);

  server.health.setStatus('', 'NOT_SERVING');
  const setAt = Date.now();
  await waitFor(async () => (await entryOf('ledger'))?.health === 'unhealthy', 'ledger unhealthy', 5000);
  const view = (await (await fetch(`${monitor.url}/services/ledger`)).json()) as Record<string, unknown>;
  assert.deepEqual([view['ready'], view['reason']], [false, 'gRPC health NOT_SERVING']);
  const history = (await (await fetch(`${monitor.url}/services/ledger/history`)).json()) as {
    transitions: { at: string; to: { health: string }; reason: string }[];
  };
  const turned = history.transitions.find((transition) => transition.to.health === 'unhealthy');
  assert.equal(turned?.reason, 'gRPC health NOT_SERVING');
  const afterMs = Date.parse(turned?.at ?? '') - setAt;
  assert.ok(afterMs <= INTERVAL_MS + 500, `unhealthy ${afterMs} ms after NOT_SERVING: more than one interval`);
  const notice = await waitFor(
    () => receiver.deliveries.find((d) => d.payload.service === 'ledger' && d.payload.to?.health === 'unhealthy'),
    'the webhook notice',
    5000,
  );
  assert.equal(notice.payload.reason, 'gRPC health NOT_SERVING');
  const exposition = await (await fetch(`${monitor.url}/metrics`, { headers: { accept: 'text/plain' } })).text();
  assert.match(exposition, /health_monitor_probes_total\{outcome="grpc_status",protocol="grpc"\} [1-9]/);
  assert.match(exposition, /health_monitor_probes_total\{outcome="answered",protocol="grpc"\} [1-9]/);
  assert.match(exposition, /health_monitor_service_health\{service="ledger",state="unhealthy"\} 1/);

  // One connection for every probe of the service, until it is removed.
  assert.equal(relay.accepted(), 1, `${relay.accepted()} connections for one service`);
  assert.equal(relay.open(), 1);
  assert.equal((await fetch(`${monitor.url}/services/ledger`, { method: 'DELETE' })).status, 204);
  await waitFor(() => relay.open() === 0, 'the removed service’s connection closed', 3000);
});
