// Cloud metadata and link-local addresses in every spelling: refused at registration (400 naming the
// rule), by a spawned monitor and by the API in-process, and where probe and webhook connections are
// made, with an injected resolver standing in for DNS answers this machine cannot give.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { Agent } from 'undici';
import { createApp } from '../../src/api/app.js';
import { createApiServer } from '../../src/api/server.js';
import { ANY_TARGET, targetPolicy, type TargetPolicy } from '../../src/domain/index.js';
import { guardedConnector, guardedLookup, TargetRefusedError, type Resolver } from '../../src/net/target-guard.js';
import { openStore, TEST_DEFAULTS } from '../helpers/fixtures.js';
import { spawnMonitor, type Spawned } from '../helpers/processes.js';
import { json, startTarget, type Target } from '../helpers/target.js';
import { fixedResolver, refusalOf } from '../helpers/guarded-resolution.js';

const METADATA = 'the cloud metadata address';
const LINK_LOCAL = 'a link-local address';
const UNLESS = 'refused unless an ALLOW_TARGETS address or range covers it';

interface Spelling {
  /** As a registrant may write it. */
  readonly url: string;
  /** The address the policy is given, as the URL parser writes it. */
  readonly address: string;
  /** How the message shows the address: itself, or the translation with the IPv4 address it carries. */
  readonly shown: string;
  readonly rule: string;
}

const spelling =
  (rule: string) =>
  (url: string, address: string, carries?: string): Spelling => ({
    url,
    address,
    shown: carries === undefined ? address : `${address} (${carries})`,
    rule,
  });
const metadata = spelling(METADATA);
const linkLocal = spelling(LINK_LOCAL);

const SPELLINGS: readonly Spelling[] = [
  // The metadata and credentials endpoints as published.
  metadata('http://169.254.169.254/latest/meta-data/', '169.254.169.254'), // AWS, GCP, Azure, Oracle, OpenStack, ...
  metadata('http://169.254.170.2/v2/credentials', '169.254.170.2'), // ECS task credentials
  metadata('http://169.254.170.23/v1/credentials', '169.254.170.23'), // EKS Pod Identity
  metadata('http://100.100.100.200/latest/meta-data/', '100.100.100.200'), // Alibaba Cloud
  metadata('http://192.0.0.192/', '192.0.0.192'), // Oracle Cloud (legacy)
  metadata('http://168.63.129.16/machine', '168.63.129.16'), // Azure WireServer
  metadata('http://[fd00:ec2::254]/latest/meta-data/', 'fd00:ec2::254'), // AWS over IPv6
  metadata('http://[fd00:ec2::23]/v1/credentials', 'fd00:ec2::23'), // EKS Pod Identity over IPv6
  metadata('http://[fd20:ce::254]/computeMetadata/v1/', 'fd20:ce::254'), // GCP over IPv6
  // Numeric spellings: the URL parser hands the policy the dotted form.
  metadata('http://2852039166/', '169.254.169.254'),
  metadata('http://0xa9fea9fe/', '169.254.169.254'),
  metadata('http://0251.0376.0251.0376/', '169.254.169.254'),
  metadata('http://0xa9.0xfe.0xa9.0xfe/', '169.254.169.254'),
  metadata('http://169.254.43518/', '169.254.169.254'),
  metadata('http://169.254.169.254./', '169.254.169.254'),
  metadata('http://%31%36%39.254.169.254/', '169.254.169.254'),
  metadata('http://2852039170/', '169.254.170.2'),
  metadata('http://0xa9feaa02/', '169.254.170.2'),
  metadata('http://169.254.43522/', '169.254.170.2'),
  metadata('http://1684301000/', '100.100.100.200'),
  metadata('http://0x646464c8/', '100.100.100.200'),
  metadata('http://0144.0144.0144.0310/', '100.100.100.200'),
  metadata('http://3221225664/', '192.0.0.192'),
  // IPv6 spellings, which the URL parser writes in the shortest form.
  metadata('http://[fd00:0ec2:0000:0000:0000:0000:0000:0254]/', 'fd00:ec2::254'),
  metadata('http://[FD00:EC2::254]/', 'fd00:ec2::254'),
  metadata('http://[fd00:ec2:0:0:0:0:0:23]/', 'fd00:ec2::23'),
  // IPv4-mapped: the IPv4 address itself.
  metadata('http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'),
  metadata('http://[0:0:0:0:0:ffff:a9fe:a9fe]/', '::ffff:a9fe:a9fe'),
  metadata('http://[::ffff:169.254.170.2]/', '::ffff:a9fe:aa02'),
  metadata('http://[::ffff:100.100.100.200]/', '::ffff:6464:64c8'),
  // Translations that reach the IPv4 address they carry.
  metadata('http://[::169.254.169.254]/', '::a9fe:a9fe', 'IPv4-compatible form of 169.254.169.254'),
  metadata('http://[::a9fe:aa17]/', '::a9fe:aa17', 'IPv4-compatible form of 169.254.170.23'),
  metadata('http://[::ffff:0:169.254.169.254]/', '::ffff:0:a9fe:a9fe', 'IPv4-translated form of 169.254.169.254'),
  metadata('http://[64:ff9b::a9fe:a9fe]/', '64:ff9b::a9fe:a9fe', 'NAT64 form of 169.254.169.254'),
  metadata('http://[64:ff9b::169.254.169.254]/', '64:ff9b::a9fe:a9fe', 'NAT64 form of 169.254.169.254'),
  metadata('http://[64:ff9b::169.254.170.2]/', '64:ff9b::a9fe:aa02', 'NAT64 form of 169.254.170.2'),
  metadata('http://[64:ff9b::100.100.100.200]/', '64:ff9b::6464:64c8', 'NAT64 form of 100.100.100.200'),
  metadata('http://[64:ff9b:1::a9fe:a9fe]/', '64:ff9b:1::a9fe:a9fe', 'NAT64 form of 169.254.169.254'), // local-use prefix, /96
  metadata('http://[64:ff9b:1:a9fe:a9:fe00::]/', '64:ff9b:1:a9fe:a9:fe00::', 'NAT64 form of 169.254.169.254'), // local-use prefix, /48
  metadata('http://[2002:a9fe:a9fe::]/', '2002:a9fe:a9fe::', '6to4 form of 169.254.169.254'),
  metadata('http://[2002:a9fe:a9fe:1::1]/', '2002:a9fe:a9fe:1::1', '6to4 form of 169.254.169.254'),
  metadata('http://[2002:6464:64c8::]/', '2002:6464:64c8::', '6to4 form of 100.100.100.200'),
  // Link-local: 169.254.0.0/16 and fe80::/10, whatever lives there.
  linkLocal('http://169.254.0.1/', '169.254.0.1'),
  linkLocal('http://169.254.0.23/', '169.254.0.23'), // Tencent Cloud's metadata
  linkLocal('http://169.254.169.253/', '169.254.169.253'), // AWS's DNS resolver
  linkLocal('http://169.254.255.255/', '169.254.255.255'),
  linkLocal('http://2851995905/', '169.254.1.1'),
  linkLocal('http://169.254.257/', '169.254.1.1'),
  linkLocal('http://[fe80::1]/', 'fe80::1'),
  linkLocal('http://[FE80::a9fe:a9fe]/', 'fe80::a9fe:a9fe'),
  linkLocal('http://[febf:ffff::1]/', 'febf:ffff::1'),
  linkLocal('http://[::ffff:169.254.1.1]/', '::ffff:a9fe:101'),
  linkLocal('http://[64:ff9b::169.254.1.1]/', '64:ff9b::a9fe:101', 'NAT64 form of 169.254.1.1'),
  linkLocal('http://[2002:a9fe:101::]/', '2002:a9fe:101::', '6to4 form of 169.254.1.1'),
];

/** Addresses a resolver may answer in a spelling the URL parser would have rewritten. */
const RESOLVED_ONLY: readonly Spelling[] = [
  metadata('', '::ffff:169.254.169.254'),
  metadata('', '::FFFF:A9FE:AA02'),
  metadata('', 'fd00:0ec2::0254'),
  metadata('', 'FD00:EC2::23'),
  metadata('', '64:ff9b::169.254.170.23', 'NAT64 form of 169.254.170.23'),
  metadata('', '64:ff9b:0:0:0:0:a9fe:a9fe', 'NAT64 form of 169.254.169.254'),
  metadata('', '::169.254.169.254', 'IPv4-compatible form of 169.254.169.254'),
  linkLocal('', 'fe80::1%eth0'),
  linkLocal('', 'fe80::a9fe:a9fe%2'),
];

const reason = ({ shown, rule }: Spelling): string => `host ${shown} is ${rule}, ${UNLESS}`;
const resolvedReason = (name: string, { shown, rule }: Spelling): string =>
  `${name} resolved to ${shown}, which is ${rule}, ${UNLESS}`;

interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details: { field: string; message: string }[];
  };
}

async function register(monitorUrl: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${monitorUrl}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ poll_interval_sec: 3600, ...body }),
  });
}

async function refusalDetails(response: Response, what: string): Promise<ErrorBody['error']['details']> {
  const text = await response.text();
  assert.equal(response.status, 400, `${what}: ${text}`);
  const { error } = JSON.parse(text) as ErrorBody;
  assert.equal(error.code, 'invalid_registration', what);
  return error.details;
}

/** The API in-process over a real server, with no scheduler: an accepted registration is never probed. */
async function startApi(policy: TargetPolicy): Promise<{ url: string; stop(): Promise<void> }> {
  const store = await openStore();
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: null,
    targetPolicy: policy,
    logger: pino({ level: 'silent' }),
  });
  const server: Server = createApiServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}

let monitor: Spawned & { url: string };
const targets: Target[] = [];
const agents: Agent[] = [];
before(async () => {
  monitor = await spawnMonitor();
});
after(async () => {
  await Promise.all([
    monitor.stop(),
    ...agents.map((agent) => agent.close()),
    ...targets.map((target) => target.close()),
  ]);
});

test('a spawned monitor without ALLOW_TARGETS refuses every spelling as url and as webhook_url, 400 naming the rule and the address', async () => {
  for (const [index, entry] of SPELLINGS.entries()) {
    const asUrl = await refusalDetails(await register(monitor.url, { id: `u${index}`, url: entry.url }), entry.url);
    assert.deepEqual(asUrl, [{ field: 'url', message: reason(entry) }], entry.url);
    const asWebhook = await refusalDetails(
      await register(monitor.url, { id: `w${index}`, url: 'http://example.com/health', webhook_url: entry.url }),
      `webhook_url ${entry.url}`,
    );
    assert.deepEqual(asWebhook, [{ field: 'webhook_url', message: reason(entry) }], `webhook_url ${entry.url}`);
  }
  assert.deepEqual(await (await fetch(`${monitor.url}/services`)).json(), [], 'nothing refused was stored');
});

test('under an ALLOW_TARGETS list the reason is the rule, not the list', async (t) => {
  const api = await startApi(targetPolicy(['*.example.com', '10.0.0.0/8']));
  t.after(() => api.stop());
  for (const entry of SPELLINGS) {
    const details = await refusalDetails(
      await register(api.url, { id: 'x', url: entry.url, webhook_url: entry.url }),
      entry.url,
    );
    assert.deepEqual(
      details,
      [
        { field: 'url', message: reason(entry) },
        { field: 'webhook_url', message: reason(entry) },
      ],
      entry.url,
    );
  }
});

test('ALLOW_TARGETS address and range entries covering them let those spellings register, and only those', async (t) => {
  const covering = [
    '169.254.0.0/16',
    '192.0.0.192',
    '168.63.129.16',
    'fd00:ec2::/32',
    'fe80::/10',
    // The translated forms are addresses of their own, which a list may hold.
    '::/96',
    '::ffff:0:0:0/96',
    '64:ff9b::/96',
    '64:ff9b:1::/48',
    '2002::/16',
  ];
  // Neither 100.100.100.200 nor fd20:ce::254 is covered; their translated forms are, by the ranges above.
  const uncovered = new Set(['100.100.100.200', '::ffff:6464:64c8', 'fd20:ce::254']);
  const api = await startApi(targetPolicy(covering));
  t.after(() => api.stop());
  for (const [index, entry] of SPELLINGS.entries()) {
    const response = await register(api.url, { id: `s${index}`, url: entry.url, webhook_url: entry.url });
    if (uncovered.has(entry.address)) {
      const details = await refusalDetails(response, entry.url);
      assert.deepEqual(
        details,
        [
          { field: 'url', message: reason(entry) },
          { field: 'webhook_url', message: reason(entry) },
        ],
        entry.url,
      );
    } else {
      assert.equal(response.status, 201, `${entry.url}: ${await response.text()}`);
    }
  }
});

test('one covering entry lifts the refusal for that address only', async (t) => {
  const api = await startApi(targetPolicy(['169.254.170.2']));
  t.after(() => api.stop());
  for (const [index, url] of [
    'http://169.254.170.2/v2/credentials',
    'http://0xa9feaa02/',
    'http://[::ffff:169.254.170.2]/',
  ].entries()) {
    assert.equal((await register(api.url, { id: `ecs${index}`, url })).status, 201, url);
  }
  const others: readonly (readonly [string, string])[] = [
    ['http://169.254.169.254/', `host 169.254.169.254 is ${METADATA}, ${UNLESS}`],
    ['http://169.254.170.3/', `host 169.254.170.3 is ${LINK_LOCAL}, ${UNLESS}`],
    // Lifted for the IPv4 address it carries, but the NAT64 address is not in the list.
    ['http://[64:ff9b::169.254.170.2]/', 'host 64:ff9b::a9fe:aa02 is not in ALLOW_TARGETS'],
  ];
  for (const [url, message] of others) {
    assert.deepEqual(
      await refusalDetails(await register(api.url, { id: 'other', url }), url),
      [{ field: 'url', message }],
      url,
    );
  }
});

function lookupError(policy: TargetPolicy, resolver: Resolver | undefined, hostname: string): Promise<Error | null> {
  const lookup = guardedLookup(policy, resolver);
  return new Promise((resolve) => lookup(hostname, { all: true }, (error) => resolve(error)));
}

test('at connect time a name resolving to any of them is refused, with or without ALLOW_TARGETS', async () => {
  for (const policy of [ANY_TARGET, targetPolicy(['*.test']), targetPolicy(['*.test', '10.0.0.0/8'])]) {
    for (const entry of [...SPELLINGS, ...RESOLVED_ONLY]) {
      const error = await lookupError(policy, fixedResolver({ 'evil.test': [entry.address] }), 'evil.test');
      const what = `${String(policy.entries)}: ${entry.address}`;
      assert.ok(error instanceof TargetRefusedError, what);
      assert.equal(error.reason, resolvedReason('evil.test', entry), what);
    }
  }
});

test('at connect time a covering ALLOW_TARGETS entry lets the resolved address through, and the same list without it refuses it for the rule', async () => {
  const covering = ['*.test', '10.0.0.0/8', '169.254.0.0/16', 'fe80::/10', 'fd00:ec2::/32', '64:ff9b::/96'];
  const without = ['*.test', '10.0.0.0/8'];
  for (const address of [
    '169.254.170.2',
    '::ffff:169.254.170.23',
    'fe80::1%eth0',
    'FD00:EC2::23',
    '64:ff9b::169.254.169.254',
  ]) {
    const resolver = fixedResolver({ 'ok.test': [address] });
    assert.equal(await lookupError(targetPolicy(covering), resolver, 'ok.test'), null, address);
    const error = await lookupError(targetPolicy(without), resolver, 'ok.test');
    assert.ok(error instanceof TargetRefusedError, address);
    assert.match(error.reason, /, which is (the cloud metadata|a link-local) address, refused unless/, address);
  }
});

test('a numeric spelling that reaches the system resolver undecoded is decoded by it, and refused', async () => {
  for (const hostname of ['2852039166', '0xa9fea9fe', '0251.0376.0251.0376', '169.254.43518', '1684301000']) {
    const error = await lookupError(ANY_TARGET, undefined, hostname);
    assert.ok(error instanceof TargetRefusedError, hostname);
    assert.match(
      error.reason,
      new RegExp(`^${hostname} resolved to (169\\.254\\.169\\.254|100\\.100\\.100\\.200), which is ${METADATA}`),
      hostname,
    );
  }
});

test('through the connector probes and webhooks use: every literal spelling and every name resolving to one is refused; the allowed addresses of a name are used', async () => {
  const target = await startTarget((_request, response) =>
    json(response, { uptime_sec: 1, request_count: 1, error_count: 0 }),
  );
  targets.push(target);
  const table: Record<string, string[]> = {};
  for (const [index, entry] of [...SPELLINGS, ...RESOLVED_ONLY].entries()) table[`n${index}.test`] = [entry.address];
  const agent = new Agent({ connect: guardedConnector(ANY_TARGET, fixedResolver(table)) });
  agents.push(agent);
  for (const entry of SPELLINGS) {
    const url = new URL(entry.url);
    url.port = String(target.port);
    assert.equal(await refusalOf(url.href, agent), reason(entry), entry.url);
  }
  for (const [index, entry] of [...SPELLINGS, ...RESOLVED_ONLY].entries()) {
    assert.equal(
      await refusalOf(`http://n${index}.test:${target.port}/`, agent),
      resolvedReason(`n${index}.test`, entry),
      entry.address,
    );
  }
  assert.equal(target.connections, 0);

  // A name with a refused and an allowed address: the refused one is dropped and the other one used.
  const mixed = new Agent({
    connect: guardedConnector(
      ANY_TARGET,
      fixedResolver({ 'mixed.test': ['169.254.170.2', '64:ff9b::a9fe:a9fe', '127.0.0.1'] }),
    ),
  });
  agents.push(mixed);
  assert.equal(await refusalOf(`http://mixed.test:${target.port}/`, mixed), null);
  assert.equal(target.connections, 1);
});
