import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { targetPolicy } from '../../domain/index.js';
import { makeCertificate } from '../../../tests/helpers/certificate.js';
import {
  startCountingRelay,
  startGrpcCheckServer,
  startGrpcTarget,
  startSilentPort,
} from '../../../tests/helpers/grpc-target.js';
import { json, startTarget } from '../../../tests/helpers/target.js';
import { probeJob } from '../../../tests/helpers/probe-job.js';
import { tempDir } from '../../../tests/helpers/temp-dir.js';
import { waitFor } from '../../../tests/helpers/wait.js';
import { startGrpcProber } from '../grpc/grpc-probe.js';
import { removalAnnouncer } from '../grpc/removed-services.js';
import { runProbe } from '../run-probe.js';
import type { ProbeTable } from '../probe-table.js';
import { grpcProtocol } from './grpc.js';

const closers: (() => unknown)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

function prober(allow: readonly string[] | null = null) {
  const started = startGrpcProber({ connectionsPerOrigin: 1, targetPolicy: targetPolicy(allow) });
  closers.push(() => started.close());
  const table: ProbeTable = { 'grpc:': started.probe, 'grpcs:': started.probe };
  return { ...started, table };
}

test('a grpc URL names a host and a port, and nothing else', () => {
  const check = (text: string): string | null => grpcProtocol.checkUrl(new URL(text), text);
  assert.equal(check('grpc://payments.internal:50051'), null);
  assert.equal(check('grpcs://10.0.0.7:443/'), null);
  assert.equal(check('grpc://[::1]:50051'), null);
  assert.match(check('grpc://payments.internal') ?? '', /must name a port, as grpc:\/\/host:50051/);
  assert.match(check('grpc://payments.internal:50051/grpc.health.v1.Health') ?? '', /must not have a path/);
  assert.match(check('grpcs://payments.internal:50051?x') ?? '', /query or fragment/);
  assert.match(check('grpc://payments.internal:0') ?? '', /port 0 cannot be connected to/);
});

test('SERVING is healthy; NOT_SERVING and a service the server does not know are answers naming the status', async () => {
  const target = await startGrpcTarget({ '': 'SERVING', 'payments.v1.Ledger': 'NOT_SERVING' });
  closers.push(() => target.close());
  const { table } = prober();
  const job = (grpcService?: string) =>
    probeJob({ url: target.url, timeoutMs: 2000, ...(grpcService === undefined ? {} : { grpcService }) });

  assert.equal((await runProbe(job(), table)).outcome.kind, 'answered');
  assert.deepEqual((await runProbe(job('payments.v1.Ledger'), table)).outcome, {
    kind: 'grpc_status',
    status: 'NOT_SERVING',
  });
  assert.deepEqual((await runProbe(job('no.such.Service'), table)).outcome, {
    kind: 'grpc_status',
    status: 'SERVICE_UNKNOWN',
  });
  target.health.setStatus('', 'NOT_SERVING');
  const notServing = await runProbe(job(), table);
  assert.deepEqual(notServing.outcome, { kind: 'grpc_status', status: 'NOT_SERVING' });
  assert.equal(notServing.attempts, 1, 'an answer is not retried');
});

test('a server that accepts and never answers is a timeout at the deadline; a closed port is refused', async () => {
  const silent = await startSilentPort();
  closers.push(() => silent.close());
  const { table } = prober();
  const started = Date.now();
  const hung = await runProbe(probeJob({ url: `grpc://127.0.0.1:${silent.port}`, timeoutMs: 400 }), table);
  assert.deepEqual(hung.outcome, { kind: 'unreachable', error: 'timeout after 400 ms' });
  assert.ok(Date.now() - started < 2000, `the deadline held (${Date.now() - started} ms)`);

  const gone = await startSilentPort();
  await gone.close();
  const refused = await runProbe(
    probeJob({ url: `grpc://127.0.0.1:${gone.port}`, timeoutMs: 1000, retries: 1 }),
    table,
  );
  assert.deepEqual(refused.outcome, { kind: 'unreachable', error: 'connection refused (ECONNREFUSED)' });
  assert.equal(refused.attempts, 2, 'a failed connection is retried like any network failure');
});

test('a target that was down is healthy at the first probe after it comes back, not after a backoff', async () => {
  const target = await startGrpcTarget();
  const port = target.port;
  await target.close();
  const { table } = prober();
  const url = `grpc://127.0.0.1:${port}`;
  assert.equal((await runProbe(probeJob({ url, timeoutMs: 1000 }), table)).outcome.kind, 'unreachable');
  // The same port again, now serving: grpc-js would wait out a reconnect backoff on the old channel.
  const back = await startGrpcTarget({ '': 'SERVING' }, undefined, port);
  closers.push(() => back.close());
  assert.equal((await runProbe(probeJob({ url, timeoutMs: 1000 }), table)).outcome.kind, 'answered');
});

test('grpcs verifies the certificate: a self-signed one is refused, and accepted with tls_skip_verify', async (t) => {
  const target = await startGrpcTarget({ '': 'SERVING' }, makeCertificate(tempDir(t), 30));
  closers.push(() => target.close());
  const { table } = prober();
  const refused = await runProbe(probeJob({ url: target.url, timeoutMs: 2000, retries: 2 }), table);
  assert.deepEqual(refused.outcome, {
    kind: 'unreachable',
    error: 'TLS certificate rejected: self-signed certificate',
  });
  assert.equal(refused.attempts, 1, 'a certificate that does not verify is not asked again');
  const skipped = await runProbe(probeJob({ url: target.url, timeoutMs: 2000, tlsSkipVerify: true }), table);
  assert.equal(skipped.outcome.kind, 'answered');
});

test('one connection per service is kept from probe to probe, and closed when the service is removed', async () => {
  const target = await startGrpcTarget();
  closers.push(() => target.close());
  const relay = await startCountingRelay(target.port);
  closers.push(() => relay.close());
  const { table, openClients } = prober();
  const job = probeJob({ serviceId: 'kept', url: `grpc://127.0.0.1:${relay.port}`, timeoutMs: 2000 });
  for (let i = 0; i < 4; i++) assert.equal((await runProbe(job, table)).outcome.kind, 'answered');
  assert.equal(relay.accepted(), 1, 'four probes, one connection');
  assert.equal(openClients(), 1);

  const removals = removalAnnouncer();
  closers.push(() => removals.close());
  removals.announce('some-other-service');
  removals.announce('kept');
  await waitFor(() => relay.open() === 0, 'the connection closed once its service was removed', 3000);
  assert.equal(openClients(), 0);
});

test('ALLOW_TARGETS holds for grpc: a refused address is never dialled, and not retried', async () => {
  const target = await startGrpcTarget();
  closers.push(() => target.close());
  const relay = await startCountingRelay(target.port);
  closers.push(() => relay.close());
  const { table } = prober(['10.0.0.0/8']);
  const refused = await runProbe(
    probeJob({ url: `grpc://127.0.0.1:${relay.port}`, timeoutMs: 1000, retries: 2 }),
    table,
  );
  assert.equal(refused.outcome.kind, 'unreachable');
  assert.match(refused.outcome.kind === 'unreachable' ? refused.outcome.error : '', /ALLOW_TARGETS/);
  assert.equal(refused.attempts, 1);
  assert.equal(relay.accepted(), 0);
  const byName = await runProbe(probeJob({ url: `grpc://localhost:${relay.port}`, timeoutMs: 1000 }), table);
  assert.equal(byName.outcome.kind, 'unreachable', 'a name resolving to a refused address is refused too');
  assert.equal(relay.accepted(), 0);

  // Without ALLOW_TARGETS, the metadata address is refused all the same.
  const metadata = await runProbe(
    probeJob({ url: 'grpc://169.254.169.254:50051', timeoutMs: 1000, retries: 2 }),
    prober().table,
  );
  assert.equal(metadata.outcome.kind, 'unreachable');
  assert.match(metadata.outcome.kind === 'unreachable' ? metadata.outcome.error : '', /link-local|metadata/);
  assert.equal(metadata.attempts, 1);
});

test("hostile answers are the server's answer, never a crash: oversized, unparseable, or HTTP/1.1", async () => {
  const { table } = prober();
  const oversized = await startGrpcCheckServer(
    (_call, callback) => callback(null, { status: 'SERVING' }),
    () => Buffer.alloc(1024 * 1024),
  );
  closers.push(() => oversized.close());
  const big = await runProbe(probeJob({ url: oversized.url, timeoutMs: 2000 }), table);
  assert.deepEqual(big.outcome, { kind: 'grpc_status', status: 'RESOURCE_EXHAUSTED' });

  const garbled = await startGrpcCheckServer(
    (_call, callback) => callback(null, { status: 'SERVING' }),
    () => Buffer.from([0xff, 0xff, 0xff]),
  );
  closers.push(() => garbled.close());
  const unparseable = await runProbe(probeJob({ url: garbled.url, timeoutMs: 2000 }), table);
  assert.deepEqual(unparseable.outcome, { kind: 'grpc_status', status: 'INTERNAL' });

  const http = await startTarget((_request, response) => json(response, { uptime_sec: 1 }));
  closers.push(() => http.close());
  const notGrpc = await runProbe(probeJob({ url: `grpc://127.0.0.1:${http.port}`, timeoutMs: 2000 }), table);
  assert.equal(notGrpc.outcome.kind, 'unreachable', JSON.stringify(notGrpc.outcome));
});
