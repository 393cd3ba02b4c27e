// HTTP(S) probe: GET {url}{health_path} with ky, status and body judged by the wire contract.
import ky from 'ky';
import { blockedPortProblem, MAX_BODY_BYTES, parseHealthBody } from '../../src/domain/index.js';
import type { AttemptOutcome, ProbeAttempt } from './attempt.js';
import { describeFetchError } from './describe-error.js';
import { BodyTooLargeError, readLimited } from './read-limited.js';

const http = ky.create({
  // ky's defaults suit browsers, not monitors: every one is set here on purpose.
  retry: 0,
  // The signal below bounds headers and body together; ky's own timeout would cover headers only.
  timeout: false,
  throwHttpErrors: false,
  redirect: 'manual',
  headers: { accept: 'application/json, text/plain;q=0.9, */*;q=0.1', 'user-agent': 'health-monitor' },
});

export const probeHttpOnce: ProbeAttempt = async (url, timeoutMs): Promise<AttemptOutcome> => {
  // Node 20's fetch never releases the signal of a request it refuses for a bad port: about 16 KB
  // leaked per probe. Such a port is refused here, before fetch sees it.
  const blocked = blockedPortProblem(new URL(url));
  if (blocked !== null) return { kind: 'failed', error: blocked, final: true };
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await http.get(url, { signal });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'http_status', status: response.status };
    }
    const text = await readLimited(response.body, MAX_BODY_BYTES);
    const parsed = parseHealthBody(text, response.headers.get('content-type'));
    return parsed.ok ? { kind: 'answered', report: parsed.report } : { kind: 'invalid_body', error: parsed.error };
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { kind: 'invalid_body', error: error.message };
    return { kind: 'failed', error: describeFetchError(error, timeoutMs) };
  }
};
