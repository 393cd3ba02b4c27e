// One probe of one service: the protocol's attempt, retried on network errors and timeouts only.
import type { ProbeJob, ProbeResult } from '../src/domain/index.js';
import type { ProbeTable } from './probes/index.js';

export async function runProbe(job: ProbeJob, probes: ProbeTable): Promise<ProbeResult> {
  const startedAt = Date.now();
  const clockStart = performance.now();
  const finish = (attempts: number, outcome: ProbeResult['outcome']): ProbeResult => ({
    serviceId: job.serviceId,
    generation: job.generation,
    startedAt,
    durationMs: Math.round(performance.now() - clockStart),
    attempts,
    outcome,
  });
  const attempt = probes[protocolOf(job.url)];
  if (!attempt) return finish(0, { kind: 'unreachable', error: `unsupported protocol in ${job.url}` });

  let lastError = '';
  for (let attempts = 1; attempts <= job.retries + 1; attempts++) {
    const outcome = await attempt(job.url, job.timeoutMs);
    if (outcome.kind !== 'failed') return finish(attempts, outcome);
    if (outcome.final === true) return finish(attempts, { kind: 'unreachable', error: outcome.error });
    lastError = outcome.error;
  }
  return finish(job.retries + 1, { kind: 'unreachable', error: lastError });
}

/**
 * The URL's scheme as `URL.protocol` spells it ("http:"), without parsing the whole URL (each attempt
 * parses it anyway): a registered URL starts with its scheme (parseHttpUrl), which is case-insensitive.
 */
function protocolOf(url: string): string {
  return url.slice(0, url.indexOf(':') + 1).toLowerCase();
}
