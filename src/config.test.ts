import assert from 'node:assert/strict';
import { availableParallelism, hostname } from 'node:os';
import { test } from 'node:test';
import { ConfigError, defaultProbeThreads, loadConfig } from './config.js';

test('defaults match DESIGN.md', () => {
  assert.deepEqual(loadConfig([], {}), {
    port: 8080,
    host: '0.0.0.0',
    pollIntervalMs: 10_000,
    probeTimeoutMs: 2000,
    probeRetries: 2,
    maxConcurrency: 5,
    probeThreads: defaultProbeThreads(availableParallelism()),
    errorRateThreshold: 0.2,
    dbPath: './data/health-monitor.db',
    databaseUrl: null,
    leaseTtlMs: 10_000,
    replicaId: `${hostname()}:${process.pid}`,
    registerToken: null,
    allowTargets: null,
    logLevel: 'info',
    historyRetentionDays: 30,
    deregisterAfterSec: null,
    tlsExpiryWarnDays: 14,
    promAttributeLabels: ['service', 'env', 'team', 'version'],
    webhookUrls: [],
    webhookSecret: null,
    webhookReminderSec: null,
    webhookTimeoutMs: 5000,
    webhookRetries: 5,
    statusPage: true,
    statusGroupBy: ['group', 'team'],
    statusShowUrls: false,
    statusToken: null,
  });
});

test('status page settings: switches spelled one way only, a group-by list, a hidden token', () => {
  const config = loadConfig(['--status-page', 'off'], {
    STATUS_GROUP_BY: 'region, tier',
    STATUS_SHOW_URLS: 'true',
    STATUS_TOKEN: 'a-status-token-of-24-chars',
  });
  assert.equal(config?.statusPage, false);
  assert.deepEqual(config?.statusGroupBy, ['region', 'tier']);
  assert.equal(config?.statusShowUrls, true);
  assert.equal(config?.statusToken, 'a-status-token-of-24-chars');
  assert.throws(
    () => loadConfig([], { STATUS_PAGE: 'yes', STATUS_SHOW_URLS: '1', STATUS_GROUP_BY: ' , ', STATUS_TOKEN: 'short' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      assert.match(text, /STATUS_PAGE "yes": must be on or off/);
      assert.match(text, /STATUS_SHOW_URLS "1": must be true or false/);
      assert.match(text, /STATUS_GROUP_BY " , ": must name at least one attribute key/);
      assert.match(text, /STATUS_TOKEN \(value hidden\): must be at least 16 characters/);
      assert.ok(!text.includes('short'), 'the token is never echoed');
      return true;
    },
  );
});

test('a whsec_ WEBHOOK_SECRET must be base64 of at least 16 bytes; the secret is never shown', () => {
  const good = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
  assert.equal(loadConfig([], { WEBHOOK_SECRET: good })?.webhookSecret, good);
  for (const [secret, reason] of [
    ['whsec_!!not-base64!!', /must be base64/],
    [`whsec_${Buffer.alloc(8, 1).toString('base64')}`, /at least 16 bytes/],
  ] as const) {
    assert.throws(
      () => loadConfig([], { WEBHOOK_SECRET: secret }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /WEBHOOK_SECRET \(value hidden\)/);
        assert.match(text, reason);
        assert.ok(!text.includes(secret.slice(6, 14)), 'the secret is not shown');
        return true;
      },
    );
  }
});

test('webhook and Prometheus settings are parsed and every bad one reported', () => {
  const config = loadConfig([], {
    WEBHOOK_URLS: 'http://127.0.0.1:9000/hook, https://hooks.example.com/x?token=abc',
    PROM_ATTRIBUTE_LABELS: 'service,region',
    WEBHOOK_REMINDER_SEC: '600',
  });
  assert.deepEqual(config?.webhookUrls, ['http://127.0.0.1:9000/hook', 'https://hooks.example.com/x?token=abc']);
  assert.deepEqual(config?.promAttributeLabels, ['service', 'region']);
  assert.equal(config?.webhookReminderSec, 600);
  assert.throws(
    () =>
      loadConfig([], {
        WEBHOOK_URLS: 'ftp://x,http://127.0.0.1:0/',
        WEBHOOK_SECRET: 'short',
        WEBHOOK_REMINDER_SEC: '5',
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      assert.match(text, /WEBHOOK_URLS .*ftp:\/\/x: must use http or https/);
      assert.match(text, /WEBHOOK_URLS .*http:\/\/127.0.0.1:0\/: .*port 0 cannot be connected to/);
      assert.match(text, /WEBHOOK_SECRET \(value hidden\): must be at least 16 characters/);
      assert.match(text, /WEBHOOK_REMINDER_SEC "5": must be at least 60/);
      return true;
    },
  );
  assert.throws(
    () => loadConfig(['--prom-attribute-labels', 'team-name,team.name'], {}),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.problems.join('\n'),
        /--prom-attribute-labels .*"team-name" and "team.name" both become the label attr_team_name/,
      );
      return true;
    },
  );
});

test('flags override environment variables, which override defaults', () => {
  const config = loadConfig(['--port', '9000', '--max-concurrency=3'], {
    PORT: '7000',
    MAX_CONCURRENCY: '4',
    PROBE_RETRIES: '0',
    LOG_LEVEL: 'debug',
  });
  assert.equal(config?.port, 9000);
  assert.equal(config?.maxConcurrency, 3);
  assert.equal(config?.probeRetries, 0);
  assert.equal(config?.logLevel, 'debug');
});

test('an empty environment variable counts as unset', () => {
  assert.equal(loadConfig([], { PORT: '' })?.port, 8080);
});

test('ALLOW_TARGETS is split on commas', () => {
  assert.deepEqual(loadConfig([], { ALLOW_TARGETS: ' 10.0.0.0/8, svc.local ' })?.allowTargets, [
    '10.0.0.0/8',
    'svc.local',
  ]);
});

test('--help returns null', () => {
  assert.equal(loadConfig(['--help'], {}), null);
});

test('every bad value is reported at once', () => {
  assert.throws(
    () =>
      loadConfig(['--port', 'abc', '--bogus', '1', 'stray'], {
        POLL_INTERVAL_MS: '-5',
        ERROR_RATE_THRESHOLD: '1.5',
        PROBE_RETRIES: '2.5',
        MAX_CONCURRENCY: '0',
        LOG_LEVEL: 'loud',
        REGISTER_TOKEN: 'short',
        ALLOW_TARGETS: '10.0.0.0/99',
        DEREGISTER_AFTER_SEC: '30',
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      for (const expected of [
        /unknown flag --bogus/,
        /unexpected argument "stray"/,
        /--port "abc": must be an integer/,
        /POLL_INTERVAL_MS "-5": must be at least 100/,
        /ERROR_RATE_THRESHOLD "1.5": must be a number between 0 and 1/,
        /PROBE_RETRIES "2.5": must be an integer/,
        /MAX_CONCURRENCY "0": must be at least 1/,
        /LOG_LEVEL "loud": must be one of/,
        /REGISTER_TOKEN \(value hidden\): must be at least 16 characters/,
        /ALLOW_TARGETS .*not a valid CIDR range/,
        /DEREGISTER_AFTER_SEC "30": must be at least 60/,
      ]) {
        assert.match(text, expected);
      }
      // The unknown flag's value is also reported, as a stray argument.
      assert.equal(error.problems.length, 12);
      assert.doesNotMatch(text, /short/, 'the token must not be echoed');
      return true;
    },
  );
});

test('probe threads by default: one per spare core, from 1 to 5; PROBE_THREADS overrides', () => {
  const cases: [cores: number, threads: number][] = [
    [1, 1],
    [2, 1],
    [3, 2],
    [4, 3],
    [6, 5],
    [8, 5],
    [64, 5],
  ];
  for (const [cores, threads] of cases) assert.equal(defaultProbeThreads(cores), threads, `${cores} cores`);
  assert.equal(loadConfig([], { PROBE_THREADS: '4' })?.probeThreads, 4);
  assert.equal(loadConfig(['--probe-threads', '2'], { PROBE_THREADS: '4' })?.probeThreads, 2);
});

test('cluster settings: the lease TTL and the replica id are checked', () => {
  const config = loadConfig(['--lease-ttl-ms', '3000'], { REPLICA_ID: 'replica-a' });
  assert.equal(config?.leaseTtlMs, 3000);
  assert.equal(config?.replicaId, 'replica-a');
  assert.throws(
    () => loadConfig([], { LEASE_TTL_MS: '10', REPLICA_ID: 'has space' }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.problems.some((problem) => problem.startsWith('LEASE_TTL_MS "10": must be at least 1000')) &&
      error.problems.some((problem) => problem.includes('REPLICA_ID "has space": must be printable ASCII')),
  );
});
