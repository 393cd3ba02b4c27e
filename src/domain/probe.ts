// A probe job and its result: plain data, as they cross the worker-thread boundary (the batch
// messages around them are src/probe/thread-messages.ts).
import type { HealthReport } from './health-report.js';

export interface ProbeJob {
  readonly serviceId: string;
  /** Echoed back so a result for a replaced or deleted registration can be recognised and dropped. */
  readonly generation: number;
  /** The URL as registered; the prober for its scheme decides what to connect to (HTTP appends healthPath). */
  readonly url: string;
  /** The registration's health_path: the HTTP prober asks for `{url}{healthPath}`. */
  readonly healthPath: string;
  readonly timeoutMs: number;
  readonly retries: number;
  /** When the probe was due (epoch ms): its start minus this is the schedule's lag. */
  readonly dueAt: number;
  /** Its last probe was slow (isSlowTarget): it may not take the last free slot. */
  readonly slow: boolean;
  /**
   * Cluster mode: when the lease this job was taken under runs out (epoch ms). An attempt that would
   * start later is not made: a paused replica that wakes up must not probe what another now owns.
   */
  readonly startBy?: number;
  /** https only: accept a certificate that does not verify (self-signed). Set only when asked for. */
  readonly tlsSkipVerify?: boolean;
  /** grpc(s): the service name asked about; absent for the server as a whole (`""`). */
  readonly grpcService?: string;
}

/** An answer over https: when the certificate its connection presented expires (epoch ms). */
export interface TlsSeen {
  readonly tlsExpiresAt?: number;
}

export type ProbeOutcome =
  /** Network failure or timeout on every attempt. */
  | { readonly kind: 'unreachable'; readonly error: string }
  /** The target answered with a status other than 200 (redirects are not followed). */
  | ({ readonly kind: 'http_status'; readonly status: number } & TlsSeen)
  /** A gRPC health Check answered with a status other than SERVING, or refused (SERVICE_UNKNOWN, UNIMPLEMENTED…). */
  | ({ readonly kind: 'grpc_status'; readonly status: string } & TlsSeen)
  /** A 200 whose body could not be used: unparseable JSON, inconsistent counters, too large. */
  | ({ readonly kind: 'invalid_body'; readonly error: string } & TlsSeen)
  | ({ readonly kind: 'answered'; readonly report: HealthReport } & TlsSeen)
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
