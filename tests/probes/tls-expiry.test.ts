// TLS through a real monitor and real certificates made by openssl: a self-signed target is refused
// unless tls_skip_verify is set; with it, a certificate expiring in 5 days makes the service degraded
// and shows its expiry in JSON and Prometheus; a 90-day one leaves it healthy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeCertificate, startHttpsTarget } from '../helpers/certificate.js';
import { parseExposition, valueOf } from '../helpers/exposition.js';
import { register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

interface View {
  health: string;
  reason: string;
  last_error: string | null;
  tls_skip_verify: boolean;
  tls: { expires_at: string; days_left: number } | null;
}

test('self-signed: refused unless tls_skip_verify; expiring in 5 days is degraded, in 90 days healthy', async (t) => {
  const dir = tempDir(t);
  const soon = makeCertificate(dir, 5);
  const later = makeCertificate(dir, 90);
  const expiring = await startHttpsTarget(soon);
  t.after(() => expiring.close());
  const lasting = await startHttpsTarget(later);
  t.after(() => lasting.close());
  const monitor = await spawnMonitor();
  t.after(() => monitor.stop());

  for (const body of [
    { id: 'verified', url: expiring.url },
    { id: 'five-days', url: expiring.url, tls_skip_verify: true },
    { id: 'ninety-days', url: lasting.url, tls_skip_verify: true },
  ]) {
    const answer = await register(monitor.url, { ...body, poll_interval_sec: 1 });
    assert.equal(answer.status, 201, await answer.text());
  }
  const probed = async (id: string): Promise<View> =>
    waitFor(async () => {
      const view = (await (await fetch(`${monitor.url}/services/${id}`)).json()) as View;
      return view.health === 'unknown' ? undefined : view;
    }, `${id} probed`);

  const verified = await probed('verified');
  assert.equal(verified.health, 'dead');
  assert.match(verified.last_error ?? '', /TLS certificate is self-signed/);
  assert.equal(verified.tls_skip_verify, false, 'never the default');

  const fiveDays = await probed('five-days');
  assert.equal(fiveDays.health, 'degraded');
  assert.equal(fiveDays.tls_skip_verify, true);
  assert.ok(fiveDays.tls !== null && [4, 5].includes(fiveDays.tls.days_left), JSON.stringify(fiveDays.tls));
  assert.equal(Date.parse(fiveDays.tls.expires_at), soon.expiresAt);
  assert.match(fiveDays.reason, /^TLS certificate expires in [45] days \(.+\), within 14$/);

  const ninetyDays = await probed('ninety-days');
  assert.equal(ninetyDays.health, 'healthy');
  assert.ok(ninetyDays.tls !== null && ninetyDays.tls.days_left >= 89);

  const samples = parseExposition(await (await fetch(`${monitor.url}/metrics?format=prometheus`)).text());
  const family = 'health_monitor_service_tls_cert_expiry_timestamp_seconds';
  assert.ok(Math.abs(valueOf(samples, family, { service: 'five-days' }) * 1000 - soon.expiresAt) < 60_000);
  assert.ok(Math.abs(valueOf(samples, family, { service: 'ninety-days' }) * 1000 - later.expiresAt) < 60_000);
  assert.equal(
    samples.filter((sample) => sample.name === family && sample.labels['service'] === 'verified').length,
    0,
    'no expiry for a certificate never accepted',
  );

  const plain = await register(monitor.url, { id: 'plain', url: 'http://127.0.0.1:1023', tls_skip_verify: true });
  assert.equal(plain.status, 400);
  assert.match(await plain.text(), /tls_skip_verify.*applies to https or grpcs URLs only/);
});
