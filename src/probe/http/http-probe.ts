// The HTTP(S) prober: GET {url}{health_path} with ky on the probe's own fetch, status and body judged
// by the wire contract.
import ky, { type KyInstance, type Options } from 'ky';
import { Agent } from 'undici';
import { MAX_BODY_BYTES, parseHealthBytes, type ProbeJob, type TlsSeen } from '../../domain/index.js';
import { guardedConnector, refusalReason } from '../../net/target-guard.js';
import type { AttemptOutcome, ProbeAttempt, ProberContext } from '../protocol.js';
import { describeFetchError, isCertificateError } from './describe-error.js';
import { PROBE_CALL_OPTION, ProbeCall, type ProbeCallOption } from './probe-call.js';
import { BodyTooLargeError, readBodyLimited } from './read-limited.js';
import { TlsExpiries } from './tls-expiry.js';
import { createUndiciFetch, type FetchFunction } from './undici-fetch.js';

/**
 * What every probe asks for. The probe's fetch sends them (createUndiciFetch's `defaultHeaders`): as
 * ky's `headers` they cost ky four `Headers` objects per request.
 */
export const PROBE_HEADERS: Readonly<Record<string, string>> = {
  accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
  'user-agent': 'health-monitor',
};

/** `{url}{health_path}`: the registered URL's trailing slashes dropped, so the slash is never doubled. */
export function healthUrl(baseUrl: string, healthPath: string): string {
  return baseUrl.replace(/\/+$/, '') + healthPath;
}

/** A probe thread's HTTP prober: one keep-alive agent, guarded by the target policy on every connection. */
export function createHttpProber(context: ProberContext): ProbeAttempt {
  const tls = new TlsExpiries();
  const replica = context.replicaId ?? null;
  const headers = replica === null ? PROBE_HEADERS : { ...PROBE_HEADERS, 'health-monitor-replica': replica };
  // Without a cap undici opens spare sockets; pipelining 1 keeps one probe per connection, as a
  // target expects from a monitor.
  const fetchVia = (rejectUnauthorized: boolean): FetchFunction => {
    const connect = tls.watch(guardedConnector(context.targetPolicy, undefined, { rejectUnauthorized }));
    const agent = new Agent({ connections: context.connectionsPerOrigin, pipelining: 1, connect });
    return createUndiciFetch(agent, { defaultHeaders: headers });
  };
  let unverified: FetchFunction | null = null;
  // The agent that skips verification has connections of its own, made only for the services that ask.
  return createHttpProbe(fetchVia(true), {
    tls,
    unverified: () => (unverified ??= fetchVia(false)),
  });
}

export interface HttpProbeOptions {
  /** Where each TLS connection's certificate expiry is recorded; none are read without it. */
  readonly tls?: TlsExpiries;
  /** The fetch for jobs with `tlsSkipVerify`. */
  readonly unverified?: () => FetchFunction;
}

/** `fetch` is what ky sends requests with: the probe's own (createUndiciFetch), which hands the body to the ProbeCall. */
export function createHttpProbe(fetch: FetchFunction, options: HttpProbeOptions = {}): ProbeAttempt {
  const kyOver = (through: FetchFunction): KyInstance =>
    ky.create({
      // ky's defaults suit browsers, not monitors: every one is set here on purpose.
      retry: 0,
      // The probe call's deadline bounds headers and body together; ky's own timeout would cover headers only.
      timeout: false,
      throwHttpErrors: false,
      redirect: 'manual',
      fetch: through,
    });
  const verified = kyOver(fetch);
  let unverified: KyInstance | null = null;
  const unverifiedFetch = options.unverified;
  return (job) => {
    const http =
      job.tlsSkipVerify === true && unverifiedFetch !== undefined
        ? (unverified ??= kyOver(unverifiedFetch()))
        : verified;
    return probeHttpOnce(http, job, options.tls ?? null);
  };
}

async function probeHttpOnce(http: KyInstance, job: ProbeJob, tls: TlsExpiries | null): Promise<AttemptOutcome> {
  const { timeoutMs } = job;
  const url = healthUrl(job.url, job.healthPath);
  const seen = (): TlsSeen => {
    // Plain HTTP has no certificate: its URL is not parsed again for nothing.
    if (tls === null || url.slice(0, 6).toLowerCase() !== 'https:') return {};
    const expiresAt = tls.forUrl(new URL(url));
    return expiresAt === null ? {} : { tlsExpiresAt: expiresAt };
  };
  // ky passes the option it does not know on to the fetch; no signal is given to ky (probe-call.ts).
  const call = new ProbeCall(timeoutMs);
  const options: Options & ProbeCallOption = { [PROBE_CALL_OPTION]: call };
  try {
    const response = await http.get(url, options);
    // Any other status is judged by itself: its body is not read (ending the call destroys it).
    if (response.status !== 200) return { kind: 'http_status', status: response.status, ...seen() };
    const stream = call.takeBody();
    // Another fetch would leave the call without a body, and every answer would look empty.
    if (stream === null)
      throw new TypeError('the HTTP probe needs its own fetch (undici-fetch.ts): no body was handed to the probe call');
    const body = await readBodyLimited(stream, response.headers.get('content-length'), MAX_BODY_BYTES, call);
    const parsed = parseHealthBytes(body, response.headers.get('content-type'));
    return parsed.ok
      ? { kind: 'answered', report: parsed.report, ...seen() }
      : { kind: 'invalid_body', error: parsed.error, ...seen() };
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { kind: 'invalid_body', error: error.message, ...seen() };
    // A policy refusal is final: no connection was made, and asking again gets the same answer.
    const refusal = refusalReason(error);
    if (refusal !== null) return { kind: 'failed', error: refusal, final: true };
    // A certificate that failed verification fails the same way a moment later: not retried.
    return { kind: 'failed', error: describeFetchError(error, timeoutMs), final: isCertificateError(error) };
  } finally {
    call.end();
  }
}
