// The plain messages that cross the worker-thread boundary: a probe job out, a probe result back.
import type { MessagePort } from 'node:worker_threads';
import type { HealthReport } from './health-report.js';

export interface ProbeJob {
  readonly serviceId: string;
  /** Echoed back so a result for a replaced or deleted registration can be recognised and dropped. */
  readonly generation: number;
  readonly url: string;
  readonly timeoutMs: number;
  readonly retries: number;
  /** When the probe was due (epoch ms): its start minus this is the schedule's lag. */
  readonly dueAt: number;
  /** Its last probe was slow (isSlowTarget): it may not take the last free slot. */
  readonly slow: boolean;
}

export type ProbeOutcome =
  /** Network failure or timeout on every attempt. */
  | { readonly kind: 'unreachable'; readonly error: string }
  /** The target answered with a status other than 200 (redirects are not followed). */
  | { readonly kind: 'http_status'; readonly status: number }
  /** A 200 whose body could not be used: unparseable JSON, inconsistent counters, too large. */
  | { readonly kind: 'invalid_body'; readonly error: string }
  | { readonly kind: 'answered'; readonly report: HealthReport }
  /** The monitor itself failed to run the probe (a worker died): says nothing about the target. */
  | { readonly kind: 'monitor_error'; readonly error: string };

export interface ProbeResult {
  readonly serviceId: string;
  readonly generation: number;
  /** Epoch milliseconds when the first attempt started. */
  readonly startedAt: number;
  /** Milliseconds spent in attempts, retries included (not the wait for a slot between them). */
  readonly durationMs: number;
  readonly attempts: number;
  readonly outcome: ProbeOutcome;
}

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * One Piscina task: a batch of probes, run by one worker with up to `lanes` in flight. Results go back
 * on `results` as they come (ProbeResult[] messages), and the worker closes the port after the last.
 */
export interface ProbeBatchTask {
  readonly jobs: readonly ProbeJob[];
  readonly results: MessagePort;
}

/** Given to every probe worker at start; the shared counter caps probes in flight across all threads. */
export interface ProbeWorkerData {
  readonly inFlight: SharedArrayBuffer;
  readonly maxInFlight: number;
  readonly lanes: number;
  /** ALLOW_TARGETS (`null`: unset): each worker rebuilds the target policy from it, as functions cannot cross threads. */
  readonly allowTargets: readonly string[] | null;
}
