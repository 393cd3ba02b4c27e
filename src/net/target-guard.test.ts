// The target guard where probes and webhook deliveries connect: an injected resolver stands in for DNS
// answers this machine cannot give (a name resolving to the metadata address); the connections are real.
import assert from 'node:assert/strict';
import type { LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { after, test } from 'node:test';
import { Agent, buildConnector } from 'undici';
import { ANY_TARGET, targetPolicy, type TargetPolicy } from '../domain/index.js';
import { json, startTarget, type Target } from '../../tests/helpers/target.js';
import { guardedConnector, guardedLookup, refusalReason, TargetRefusedError, type Resolver } from './target-guard.js';
import { fixedResolver, refusalOf } from '../../tests/helpers/guarded-resolution.js';

const targets: Target[] = [];
const agents: Agent[] = [];
after(async () => {
  await Promise.all([...agents.map((agent) => agent.close()), ...targets.map((target) => target.close())]);
});

/** A healthy target that counts its connections: proof that a refused probe never connected. */
async function target(): Promise<Target> {
  const started = await startTarget((_request, response) =>
    json(response, { uptime_sec: 1, request_count: 1, error_count: 0 }),
  );
  targets.push(started);
  return started;
}

function lookupOnce(
  lookup: LookupFunction,
  hostname: string,
  options: LookupOptions,
): Promise<{ error: Error | null; address: unknown; family?: number }> {
  return new Promise((resolve) =>
    lookup(hostname, options, (error, address, family) => resolve({ error, address, family })),
  );
}

test('a name resolving to the metadata address fails the lookup with the reason, even without ALLOW_TARGETS', async () => {
  const lookup = guardedLookup(
    ANY_TARGET,
    fixedResolver({ 'metadata.test': ['169.254.169.254'], 'mapped.test': ['::ffff:169.254.169.254'] }),
  );
  for (const name of ['metadata.test', 'mapped.test']) {
    const { error } = await lookupOnce(lookup, name, { all: true });
    assert.ok(error instanceof TargetRefusedError, name);
    assert.match(
      error.reason,
      new RegExp(
        `^${name.replace('.', '\\.')} resolved to .*169\\.254\\.169\\.254, which is the cloud metadata address`,
      ),
    );
  }
});

test('refused addresses are dropped and the rest kept, in the shape the caller asked for', async () => {
  const lookup = guardedLookup(
    targetPolicy(['*.test', '10.0.0.0/8']),
    fixedResolver({ 'mixed.test': ['127.0.0.1', '10.1.1.1', '169.254.169.254', '10.2.2.2'] }),
  );
  const all = await lookupOnce(lookup, 'mixed.test', { all: true });
  assert.equal(all.error, null);
  assert.deepEqual(all.address, [
    { address: '10.1.1.1', family: 4 },
    { address: '10.2.2.2', family: 4 },
  ]);
  const one = await lookupOnce(lookup, 'mixed.test', {});
  assert.deepEqual([one.error, one.address, one.family], [null, '10.1.1.1', 4]);
});

test('a failed resolution is passed on unchanged', async () => {
  const { error } = await lookupOnce(guardedLookup(ANY_TARGET, fixedResolver({})), 'nowhere.test', { all: true });
  assert.equal((error as NodeJS.ErrnoException | null)?.code, 'ENOTFOUND');
  assert.equal(refusalReason(error), null);
});

test('an address literal never reaches lookup: a lookup-only check would let it through', async () => {
  const server = await target();
  const resolver = fixedResolver({});
  const connect = buildConnector({ lookup: guardedLookup(targetPolicy(['localhost']), resolver) });
  const socket = await new Promise<{ destroy(): void }>((resolve, reject) =>
    connect({ hostname: '127.0.0.1', protocol: 'http:', port: String(server.port) }, (error, connected) =>
      error ? reject(error) : resolve(connected as { destroy(): void }),
    ),
  );
  socket.destroy();
  assert.deepEqual(resolver.asked, []);
  assert.equal(server.connections, 1);
});

/** An undici agent guarded by `policy`, names resolved by `resolver`. */
function guardedAgent(policy: TargetPolicy, resolver: Resolver): Agent {
  const agent = new Agent({ connect: guardedConnector(policy, resolver) });
  agents.push(agent);
  return agent;
}

test('through an agent: a name resolving outside the address entries is refused before any connection (DNS rebinding)', async () => {
  const server = await target();
  const resolver = fixedResolver({ 'api.svc.test': ['127.0.0.1'] });
  const url = `http://api.svc.test:${server.port}/health`;
  assert.equal(
    await refusalOf(url, guardedAgent(targetPolicy(['*.svc.test', '10.0.0.0/8']), resolver)),
    'api.svc.test resolved to 127.0.0.1, which is not in ALLOW_TARGETS',
  );
  assert.equal(server.connections, 0);
  assert.equal(await refusalOf(url, guardedAgent(targetPolicy(['*.svc.test', '127.0.0.0/8']), resolver)), null);
  assert.equal(server.connections, 1);
});

test('through an agent: the URL host is checked again, for address literals and for records registered under a looser list', async () => {
  const server = await target();
  const resolver = fixedResolver({ 'old.test': ['127.0.0.1'] });
  const stricter = guardedAgent(targetPolicy(['new.test', '127.0.0.0/8']), resolver);
  assert.equal(await refusalOf(`http://old.test:${server.port}/`, stricter), 'host old.test is not in ALLOW_TARGETS');
  assert.deepEqual(resolver.asked, [], 'refused before resolving');
  assert.equal(
    await refusalOf(`http://127.0.0.1:${server.port}/`, guardedAgent(targetPolicy(['localhost']), resolver)),
    'host 127.0.0.1 is not in ALLOW_TARGETS',
  );
  assert.equal(server.connections, 0);
});
