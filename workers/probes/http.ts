// HTTP(S) probe: GET {url}{health_path} with ky, status and body judged by the wire contract.
import ky, { type KyInstance, type Options } from 'ky';
import { blockedPortProblem, MAX_BODY_BYTES, parseHealthBytes } from '../../src/domain/index.js';
import type { AttemptOutcome, ProbeAttempt } from './attempt.js';
import { describeFetchError, isCertificateError } from './describe-error.js';
import { PROBE_CALL_OPTION, ProbeCall, type ProbeCallOption } from './probe-call.js';
import { BodyTooLargeError, readBodyLimited } from './read-limited.js';
import { refusalReason } from '../../src/net/target-guard.js';
import type { FetchFunction } from './undici-fetch.js';

/**
 * What every probe asks for. The probe's fetch sends them (createUndiciFetch's `defaultHeaders`): as
 * ky's `headers` they cost ky four `Headers` objects per request.
 */
export const PROBE_HEADERS: Readonly<Record<string, string>> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.1', 'user-agent': 'health-monitor' };

/** `fetch` is what ky sends requests with: the probe's own (createUndiciFetch), which hands the body to the ProbeCall. */
export function createHttpProbe(fetch: FetchFunction): ProbeAttempt {
  const http = ky.create({
    // ky's defaults suit browsers, not monitors: every one is set here on purpose.
    retry: 0,
    // The probe call's deadline bounds headers and body together; ky's own timeout would cover headers only.
    timeout: false,
    throwHttpErrors: false,
    redirect: 'manual',
    fetch,
  });
  return (url, timeoutMs) => probeHttpOnce(http, url, timeoutMs);
}

async function probeHttpOnce(http: KyInstance, url: string, timeoutMs: number): Promise<AttemptOutcome> {
  // The ports WHATWG fetch refuses stay refused, as registration promises (and Node 20's own fetch
  // leaked about 16 KB per such refusal), before any request is made.
  const blocked = blockedPortProblem(new URL(url));
  if (blocked !== null) return { kind: 'failed', error: blocked, final: true };
  // ky passes the option it does not know on to the fetch; no signal is given to ky (probe-call.ts).
  const call = new ProbeCall(timeoutMs);
  const options: Options & ProbeCallOption = { [PROBE_CALL_OPTION]: call };
  try {
    const response = await http.get(url, options);
    // Any other status is judged by itself: its body is not read (ending the call destroys it).
    if (response.status !== 200) return { kind: 'http_status', status: response.status };
    const stream = call.takeBody();
    // Another fetch would leave the call without a body, and every answer would look empty.
    if (stream === null) throw new TypeError('the HTTP probe needs its own fetch (undici-fetch.ts): no body was handed to the probe call');
    const body = await readBodyLimited(stream, response.headers.get('content-length'), MAX_BODY_BYTES, call);
    const parsed = parseHealthBytes(body, response.headers.get('content-type'));
    return parsed.ok ? { kind: 'answered', report: parsed.report } : { kind: 'invalid_body', error: parsed.error };
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { kind: 'invalid_body', error: error.message };
    // A policy refusal is final: no connection was made, and asking again gets the same answer.
    const refusal = refusalReason(error);
    if (refusal !== null) return { kind: 'failed', error: refusal, final: true };
    // A certificate that failed verification fails the same way a moment later: not retried.
    return { kind: 'failed', error: describeFetchError(error, timeoutMs), final: isCertificateError(error) };
  } finally {
    call.end();
  }
}
