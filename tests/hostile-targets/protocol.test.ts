// Hostile targets at the protocol level: a redirect elsewhere, a certificate nobody signed, an https
// URL on a server that does not speak TLS. Each is judged on what it answered; nothing is followed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPlainHttpTarget, startRedirectingTarget, startSelfSignedTarget } from '../helpers/hostile-servers.js';
import { assertMonitorUnharmed, RETRIES, watchAlongsideSteady } from '../helpers/hostile.js';
import { json, startTarget } from '../helpers/target.js';

test('redirects: a 3xx is a non-200 answer, and the place it points to never gets a request', async (t) => {
  // A healthy place to send the monitor: following the redirect would turn it into a 200.
  const elsewhere = await startTarget((_req, res) => json(res, { uptime_sec: 1 }));
  const redirector = await startRedirectingTarget(`${elsewhere.url}/health`);
  t.after(async () => {
    await elsewhere.close();
    await redirector.close();
  });

  const watch = await watchAlongsideSteady(redirector.url);

  assertMonitorUnharmed(watch);
  assert.equal(watch.hostile.state.health, 'unhealthy');
  assert.equal(watch.hostile.state.ready, false);
  assert.equal(watch.hostile.state.lastError, 'HTTP 302');
  // An HTTP status is an answer, never retried: one request a cycle.
  assert.equal(redirector.requests.length, watch.cycles.length);
  assert.equal(elsewhere.requests.length, 0, 'the redirect was not followed');
});

test('https with a self-signed certificate: dead, the certificate problem named, not retried', async (t) => {
  const { server, served } = await startSelfSignedTarget();
  t.after(() => server.close());

  const watch = await watchAlongsideSteady(server.url);

  assertMonitorUnharmed(watch);
  assert.equal(watch.hostile.state.health, 'dead');
  assert.equal(watch.hostile.state.ready, false);
  assert.equal(watch.hostile.state.lastError, 'TLS certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)');
  assert.equal(watch.hostile.state.reason, watch.hostile.state.lastError);
  assert.equal(served(), 0, 'no request was sent over the unverified connection');
  // A certificate fails verification the same way a moment later: one handshake a cycle, not 1 + RETRIES.
  assert.ok(RETRIES > 0);
  assert.equal(server.connections.length, watch.cycles.length);
});

test('an https URL on a server that speaks plain HTTP: dead, the TLS failure named', async (t) => {
  const target = await startPlainHttpTarget();
  t.after(() => target.close());

  const watch = await watchAlongsideSteady(target.url.replace('http:', 'https:'));

  assertMonitorUnharmed(watch);
  assert.equal(watch.hostile.state.health, 'dead');
  assert.equal(
    watch.hostile.state.lastError,
    'TLS handshake failed: the target does not speak TLS (ERR_SSL_WRONG_VERSION_NUMBER)',
  );
});
