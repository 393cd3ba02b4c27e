// HTTP(S) probe: GET {url}{health_path} with ky, status and body judged by the wire contract.
import ky, { type KyInstance } from 'ky';
import { blockedPortProblem, MAX_BODY_BYTES, parseHealthBytes } from '../../src/domain/index.js';
import type { AttemptOutcome, ProbeAttempt } from './attempt.js';
import { describeFetchError, isCertificateError } from './describe-error.js';
import { BodyTooLargeError, readBodyLimited } from './read-limited.js';
import { refusalReason } from '../../src/net/target-guard.js';
import type { FetchFunction } from './undici-fetch.js';

/** `fetch` is what ky sends requests with (ky's default, the WHATWG fetch, costs ~1.5× as much CPU per probe). */
export function createHttpProbe(fetch: FetchFunction): ProbeAttempt {
  const http = ky.create({
    // ky's defaults suit browsers, not monitors: every one is set here on purpose.
    retry: 0,
    // The signal below bounds headers and body together; ky's own timeout would cover headers only.
    timeout: false,
    throwHttpErrors: false,
    redirect: 'manual',
    headers: { accept: 'application/json, text/plain;q=0.9, */*;q=0.1', 'user-agent': 'health-monitor' },
    fetch,
  });
  return (url, timeoutMs) => probeHttpOnce(http, url, timeoutMs);
}

async function probeHttpOnce(http: KyInstance, url: string, timeoutMs: number): Promise<AttemptOutcome> {
  // The ports WHATWG fetch refuses stay refused, as registration promises (and Node 20's own fetch
  // leaked about 16 KB per such refusal), before any request is made.
  const blocked = blockedPortProblem(new URL(url));
  if (blocked !== null) return { kind: 'failed', error: blocked, final: true };
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await http.get(url, { signal });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'http_status', status: response.status };
    }
    const body = await readBodyLimited(response, MAX_BODY_BYTES, signal);
    const parsed = parseHealthBytes(body, response.headers.get('content-type'));
    return parsed.ok ? { kind: 'answered', report: parsed.report } : { kind: 'invalid_body', error: parsed.error };
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { kind: 'invalid_body', error: error.message };
    // A policy refusal is final: no connection was made, and asking again gets the same answer.
    const refusal = refusalReason(error);
    if (refusal !== null) return { kind: 'failed', error: refusal, final: true };
    // A certificate that failed verification fails the same way a moment later: not retried.
    return { kind: 'failed', error: describeFetchError(error, timeoutMs), final: isCertificateError(error) };
  }
}
