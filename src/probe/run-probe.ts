// One probe of one service: its scheme's attempt, retried on network errors and timeouts only.
// The attempts can be run one at a time (nextAttempt), so a runner may give its slot back between them.
import type { ProbeJob, ProbeResult } from '../domain/index.js';
import type { ProbeTable } from './probe-table.js';

/** A probe between attempts. */
export interface ProbeProgress {
  readonly job: ProbeJob;
  /** Epoch ms when the first attempt started, `null` before it. */
  startedAt: number | null;
  attempts: number;
  /** Time spent in attempts, not in waiting for a slot between them. */
  probingMs: number;
}

export function startProbe(job: ProbeJob): ProbeProgress {
  return { job, startedAt: null, attempts: 0, probingMs: 0 };
}

/** Runs the next attempt: resolves the probe's result, or `null` when it failed and may be retried. */
export async function nextAttempt(progress: ProbeProgress, probes: ProbeTable): Promise<ProbeResult | null> {
  const { job } = progress;
  if (job.startBy !== undefined && Date.now() > job.startBy)
    return finish(progress, { kind: 'monitor_error', error: 'not started: the lease on its shard ran out first' });
  progress.startedAt ??= Date.now();
  const attempt = probes[schemeOf(job.url)];
  if (!attempt) return finish(progress, { kind: 'unreachable', error: `unsupported protocol in ${job.url}` });
  const clockStart = performance.now();
  const outcome = await attempt(job);
  progress.probingMs += performance.now() - clockStart;
  progress.attempts++;
  if (outcome.kind !== 'failed') return finish(progress, outcome);
  if (outcome.final === true || progress.attempts > job.retries)
    return finish(progress, { kind: 'unreachable', error: outcome.error });
  return null;
}

/** Every attempt of one probe, back to back. */
export async function runProbe(job: ProbeJob, probes: ProbeTable): Promise<ProbeResult> {
  const progress = startProbe(job);
  for (;;) {
    const result = await nextAttempt(progress, probes);
    if (result !== null) return result;
  }
}

export function finish(progress: ProbeProgress, outcome: ProbeResult['outcome']): ProbeResult {
  return {
    serviceId: progress.job.serviceId,
    generation: progress.job.generation,
    startedAt: progress.startedAt ?? Date.now(),
    durationMs: Math.round(progress.probingMs),
    attempts: progress.attempts,
    outcome,
  };
}

/**
 * The URL's scheme as `URL.protocol` spells it ("http:"), without parsing the whole URL (each attempt
 * parses it anyway): a registered URL starts with its scheme, which is case-insensitive.
 */
function schemeOf(url: string): string {
  return url.slice(0, url.indexOf(':') + 1).toLowerCase();
}
