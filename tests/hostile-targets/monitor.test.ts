// Every hostile target at once against the monitor as a user runs it (a spawned process): it keeps
// serving its API, probes the well-behaved service on schedule, names each hostile one's problem,
// and its memory stays that of a monitor, not of what the targets sent.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  startDeepJsonTarget,
  startFloodingTarget,
  startGarbledTarget,
  startHeaderFloodTarget,
  startLengthAnnouncingTarget,
  startPlainHttpTarget,
  startRedirectingTarget,
  startResettingTarget,
  startSelfSignedTarget,
  startSilentTarget,
  startTricklingTarget,
} from '../helpers/hostile-servers.js';
import { spawnMonitor } from '../helpers/processes.js';
import { pollUntil } from '../helpers/prometheus.js';
import { json, startTarget } from '../helpers/target.js';

const INTERVAL_MS = 1000;
const TIMEOUT_MS = 300;
const RETRIES = 1;
const SLACK_MS = 300;

interface ServiceView {
  readonly id: string;
  readonly health: string;
  readonly ready: boolean;
  readonly last_error: string | null;
  readonly last_checked_at: string | null;
}

/** Peak resident memory of a process, in MiB, from Linux's own account. */
function peakRssMiB(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match?.[1], 'VmHWM in /proc/<pid>/status');
  return Number(match[1]) / 1024;
}

test('a spawned monitor probing every hostile target at once stays up, on schedule, bounded, and says what each did', async (t) => {
  const steady = await startTarget((_req, res) => json(res, { uptime_sec: 1, request_count: 10, error_count: 0 }));
  const elsewhere = await startTarget((_req, res) => json(res, { uptime_sec: 1 }));
  const silent = await startSilentTarget();
  const trickling = await startTricklingTarget();
  const flooding = await startFloodingTarget();
  const announcing = await startLengthAnnouncingTarget();
  const garbled = await startGarbledTarget();
  const deep = await startDeepJsonTarget(false);
  const redirecting = await startRedirectingTarget(`${elsewhere.url}/health`);
  const resetting = await startResettingTarget();
  const selfSigned = await startSelfSignedTarget();
  const plain = await startPlainHttpTarget();
  const headerFlood = await startHeaderFloodTarget();
  const monitor = await spawnMonitor([
    '--poll-interval-ms',
    String(INTERVAL_MS),
    '--probe-timeout-ms',
    String(TIMEOUT_MS),
    '--probe-retries',
    String(RETRIES),
  ]);
  t.after(async () => {
    await monitor.stop();
    for (const server of [
      steady,
      elsewhere,
      silent,
      trickling.server,
      flooding.target,
      announcing,
      garbled,
      deep,
      redirecting,
      resetting,
      selfSigned.server,
      plain,
      headerFlood,
    ]) {
      await server.close();
    }
  });

  const expected: Record<string, { url: string; health: string; lastError: string }> = {
    silent: { url: silent.url, health: 'dead', lastError: `timeout after ${TIMEOUT_MS} ms` },
    trickling: { url: trickling.server.url, health: 'dead', lastError: `timeout after ${TIMEOUT_MS} ms` },
    flooding: { url: flooding.target.url, health: 'unhealthy', lastError: 'body exceeds 1 MiB' },
    announcing: { url: announcing.url, health: 'unhealthy', lastError: 'body exceeds 1 MiB' },
    garbled: { url: garbled.url, health: 'unhealthy', lastError: 'body is not valid UTF-8' },
    deep: { url: deep.url, health: 'unhealthy', lastError: 'body is JSON but not an object' },
    redirecting: { url: redirecting.url, health: 'unhealthy', lastError: 'HTTP 302' },
    resetting: { url: resetting.url, health: 'dead', lastError: 'connection reset by target (ECONNRESET)' },
    'self-signed': {
      url: selfSigned.server.url,
      health: 'dead',
      lastError: 'TLS certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)',
    },
    'https-on-plain': {
      url: plain.url.replace('http:', 'https:'),
      health: 'dead',
      lastError: 'TLS handshake failed: the target does not speak TLS (ERR_SSL_WRONG_VERSION_NUMBER)',
    },
    'header-flood': {
      url: headerFlood.url,
      health: 'dead',
      lastError: 'response headers too large (UND_ERR_HEADERS_OVERFLOW)',
    },
  };
  const register = async (id: string, url: string): Promise<void> => {
    const response = await fetch(`${monitor.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, url }),
    });
    assert.equal(response.status, 201, `${id}: ${await response.text()}`);
  };
  await register('steady', steady.url);
  for (const [id, { url }] of Object.entries(expected)) await register(id, url);

  // While the hostile targets are probed, the API answers at once and the well-behaved one is probed
  // every interval, for four intervals.
  let slowestHealthzMs = 0;
  await pollUntil(
    async () => {
      const started = performance.now();
      const healthz = await fetch(`${monitor.url}/healthz`);
      assert.equal(healthz.status, 200);
      await healthz.body?.cancel();
      slowestHealthzMs = Math.max(slowestHealthzMs, performance.now() - started);
      return steady.requests.length >= 5;
    },
    'five probes of the well-behaved target',
    5 * INTERVAL_MS + 5000,
  );
  assert.equal(monitor.child.exitCode, null, 'the monitor is still running');
  assert.ok(slowestHealthzMs < 1000, `GET /healthz once took ${Math.round(slowestHealthzMs)} ms`);
  const times = steady.requests.map((request) => request.at);
  for (let i = 1; i < times.length; i++) {
    // Cycles never overlap, so a probe falling due during a hostile target's cycle waits for it to end:
    // late by at most that target's timeouts, and never by more.
    const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
    assert.ok(
      gap <= INTERVAL_MS + TIMEOUT_MS * (RETRIES + 1) + SLACK_MS,
      `the well-behaved target was probed ${gap} ms after the previous probe`,
    );
  }

  const services = (await (await fetch(`${monitor.url}/services`)).json()) as ServiceView[];
  const seen = Object.fromEntries(
    services.map((service) => [service.id, { health: service.health, lastError: service.last_error }]),
  );
  assert.deepEqual(seen, {
    steady: { health: 'healthy', lastError: null },
    ...Object.fromEntries(Object.entries(expected).map(([id, { health, lastError }]) => [id, { health, lastError }])),
  });
  assert.equal(elsewhere.requests.length, 0, 'the redirect was not followed');
  assert.equal(selfSigned.served(), 0, 'nothing was sent over the unverified connection');
  for (const { written } of flooding.responses)
    assert.ok(written < 16 * 1024 * 1024, `the flooding target got ${written} bytes out`);
  // A monitor that kept what the targets sent would hold 50 MB per flooding probe; this one stays at its
  // usual size (about 100–150 MiB with its probe thread, here).
  const peak = peakRssMiB(monitor.child.pid ?? 0);
  assert.ok(peak < 300, `the monitor's peak resident memory was ${peak.toFixed(0)} MiB`);
});
