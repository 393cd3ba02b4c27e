// The gRPC prober: grpc.health.v1.Health/Check with the job's timeout as deadline. Each service keeps
// its client (one HTTP/2 connection) from probe to probe on this thread; a client whose call failed
// is dropped, so the next probe dials afresh instead of waiting out grpc-js's reconnect backoff.
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import {
  Client,
  Metadata,
  credentials,
  status as GrpcCode,
  type ChannelOptions,
  type ServiceError,
} from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import type { ProbeJob } from '../../domain/index.js';
import { guardedLookup, refusalReason, TargetRefusedError } from '../../net/target-guard.js';
import { describeFetchError } from '../http/describe-error.js';
import { NOTHING_REPORTED, type AttemptOutcome, type ProbeAttempt, type ProberContext } from '../protocol.js';
import { bareHost } from '../protocols/host-port-url.js';
import { onServiceRemoved } from './removed-services.js';

const CHECK_PATH = '/grpc.health.v1.Health/Check';
const check = healthCheckMethod();
/** A client unused this long is closed: its service moved to another thread or replica, or polls rarely. */
const IDLE_CLOSE_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 60_000;
/** A health answer is a few bytes; a target sending more is not answering the health protocol. */
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_DETAILS_LENGTH = 200;

interface KeptClient {
  readonly client: Client;
  /** What the client was made for: a job that differs (new URL, address or TLS choice) gets a new one. */
  readonly key: string;
  lastUsed: number;
  /** grpcs: when the certificate of its connection expires, once a handshake verified it. */
  readonly certificate: { expiresAt?: number };
}

export interface GrpcProber {
  readonly probe: ProbeAttempt;
  /** Clients open now (for tests). */
  readonly openClients: () => number;
  close(): void;
}

export function createGrpcProber(context: ProberContext): ProbeAttempt {
  return startGrpcProber(context).probe;
}

export function startGrpcProber(context: ProberContext): GrpcProber {
  const lookup = guardedLookup(context.targetPolicy);
  const clients = new Map<string, KeptClient>();
  const drop = (serviceId: string): void => {
    clients.get(serviceId)?.client.close();
    clients.delete(serviceId);
  };
  const stopListening = onServiceRemoved(drop);
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [serviceId, kept] of clients) if (now - kept.lastUsed > IDLE_CLOSE_MS) drop(serviceId);
  }, SWEEP_EVERY_MS);
  sweep.unref();

  const clientFor = (job: ProbeJob, url: URL, host: string, address: string, family: number): KeptClient => {
    const tls = url.protocol === 'grpcs:';
    const key = `${job.url} ${address} ${job.tlsSkipVerify === true}`;
    const kept = clients.get(job.serviceId);
    if (kept !== undefined && kept.key === key) {
      kept.lastUsed = Date.now();
      return kept;
    }
    drop(job.serviceId);
    const target = family === 6 ? `ipv6:[${address}]:${url.port}` : `ipv4:${address}:${url.port}`;
    const options: ChannelOptions = {
      // The connection goes to the address the guard allowed; the target still sees the name it was registered by.
      'grpc.default_authority': url.host,
      ...(tls && isIP(host) === 0 ? { 'grpc.ssl_target_name_override': host } : {}),
      'grpc.primary_user_agent': 'health-monitor',
      'grpc.enable_retries': 0,
      'grpc.service_config_disable_resolution': 1,
      // Its own connection: a dropped client must not hand its backoff to the next one through a shared pool.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.max_receive_message_length': MAX_ANSWER_BYTES,
    };
    const certificate: KeptClient['certificate'] = {};
    // grpc-js hands the peer certificate only to this check, which replaces Node's: it is called again
    // here. Node calls it only for a chain that verified, so a skipped verification reads no expiry.
    const readExpiry = (hostname: string, peer: PeerCertificate): Error | undefined => {
      const problem = checkServerIdentity(hostname, peer);
      if (problem === undefined) certificate.expiresAt = Date.parse(peer.valid_to);
      return problem;
    };
    const channelCredentials = tls
      ? credentials.createSsl(null, null, null, {
          rejectUnauthorized: job.tlsSkipVerify !== true,
          checkServerIdentity: readExpiry,
        })
      : credentials.createInsecure();
    const created: KeptClient = {
      client: new Client(target, channelCredentials, options),
      key,
      lastUsed: Date.now(),
      certificate,
    };
    clients.set(job.serviceId, created);
    return created;
  };

  const metadata = new Metadata();
  if (context.replicaId) metadata.set('health-monitor-replica', context.replicaId);

  const probe: ProbeAttempt = async (job) => {
    const url = new URL(job.url);
    const host = bareHost(url);
    const deadline = Date.now() + job.timeoutMs;
    let resolved: { address: string; family: number };
    try {
      resolved = await resolveAllowed(lookup, context, host);
    } catch (error) {
      const refusal = refusalReason(error);
      if (refusal !== null) return { kind: 'failed', error: refusal, final: true };
      return { kind: 'failed', error: describeFetchError(error, job.timeoutMs) };
    }
    const { client, certificate } = clientFor(job, url, host, resolved.address, resolved.family);
    return new Promise<AttemptOutcome>((resolve) => {
      client.makeUnaryRequest(
        CHECK_PATH,
        check.requestSerialize,
        check.responseDeserialize,
        { service: job.grpcService ?? '' },
        metadata,
        { deadline },
        (error: ServiceError | null, answer?: object) => {
          if (error) {
            const outcome = describeCallError(error, job.timeoutMs);
            if (outcome.kind === 'failed') drop(job.serviceId);
            return resolve(outcome);
          }
          const status = answer !== undefined && 'status' in answer ? String(answer.status) : 'UNKNOWN';
          const tls = certificate.expiresAt === undefined ? {} : { tlsExpiresAt: certificate.expiresAt };
          resolve(
            status === 'SERVING'
              ? { kind: 'answered', report: NOTHING_REPORTED, ...tls }
              : { kind: 'grpc_status', status, ...tls },
          );
        },
      );
    });
  };

  return {
    probe,
    openClients: () => clients.size,
    close() {
      clearInterval(sweep);
      stopListening();
      for (const serviceId of [...clients.keys()]) drop(serviceId);
    },
  };
}

/** No connection or no answer in time is a failure; any other refusal is the server's answer. */
function describeCallError(error: ServiceError, timeoutMs: number): AttemptOutcome {
  switch (error.code) {
    case GrpcCode.DEADLINE_EXCEEDED:
      return { kind: 'failed', error: `timeout after ${timeoutMs} ms` };
    case GrpcCode.UNAVAILABLE:
    case GrpcCode.CANCELLED: {
      const refusal = certificateRefusal(error.details);
      // As for https: asking again cannot make a certificate verify.
      if (refusal !== null) return { kind: 'failed', error: refusal, final: true };
      return { kind: 'failed', error: unavailableReason(error.details) };
    }
    case GrpcCode.NOT_FOUND:
      // What the standard health service answers for a service name it does not know.
      return { kind: 'grpc_status', status: 'SERVICE_UNKNOWN' };
    default:
      return { kind: 'grpc_status', status: GrpcCode[error.code] ?? `code ${error.code}` };
  }
}

/** grpc-js says why the connection failed only in words: `… Last error: Error: self-signed certificate.` */
function certificateRefusal(details: string): string | null {
  const cause = /Last error: (?:Error: )?([^.]*certificate[^.]*)/i.exec(details)?.[1];
  return cause === undefined ? null : `TLS certificate rejected: ${cause}`.slice(0, MAX_DETAILS_LENGTH);
}

function unavailableReason(details: string): string {
  const code = /\b(E[A-Z]{4,})\b/.exec(details)?.[1];
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  return `unavailable: ${details}`.slice(0, MAX_DETAILS_LENGTH);
}

/** The first address of `host` the target policy allows; an address literal is checked as it is. */
function resolveAllowed(
  lookup: ReturnType<typeof guardedLookup>,
  context: ProberContext,
  host: string,
): Promise<{ address: string; family: number }> {
  const family = isIP(host);
  if (family !== 0) {
    const problem = context.targetPolicy.check(host);
    return problem === null
      ? Promise.resolve({ address: host, family })
      : Promise.reject(new TargetRefusedError(problem));
  }
  return new Promise((resolve, reject) => {
    lookup(host, {}, (error, address, addressFamily) => {
      if (error) return reject(error);
      if (typeof address !== 'string') return reject(new Error(`no address for ${host}`));
      resolve({ address, family: addressFamily ?? 4 });
    });
  });
}

function healthCheckMethod(): NonNullable<(typeof healthService)[string]> {
  const method = healthService['Check'];
  if (method === undefined) throw new Error('grpc-health-check ships no grpc.health.v1.Health/Check');
  return method;
}
