// What every probe protocol provides (the descriptor in src/probe/protocols/), and the signature its
// prober shares: one attempt at one job's target, never throwing.
import type { ProbeJob, ProbeOutcome, TargetPolicy } from '../domain/index.js';

/** The answer of a protocol that carries no health body (grpc, tcp): no counters, no attributes. */
export const NOTHING_REPORTED = { uptimeSec: null, requestCount: null, errorCount: null, attributes: {} } as const;

/** `failed` is a network error or timeout: the only kind of attempt that is retried, unless `final`. */
export type AttemptOutcome =
  | Exclude<ProbeOutcome, { kind: 'unreachable' } | { kind: 'monitor_error' }>
  | { readonly kind: 'failed'; readonly error: string; readonly final?: boolean };

/** One attempt at the job's target, bounded by `job.timeoutMs`. */
export type ProbeAttempt = (job: ProbeJob) => Promise<AttemptOutcome>;

/** What a probe thread gives each protocol's factory. */
export interface ProberContext {
  /** Most probes this thread runs at once: more sockets per target would only sit idle. */
  readonly connectionsPerOrigin: number;
  /** ALLOW_TARGETS and the link-local and metadata refusal, enforced on every connection a prober makes. */
  readonly targetPolicy: TargetPolicy;
  /** Cluster mode: this replica's id, for probes to name themselves; unset outside cluster mode. */
  readonly replicaId?: string | null;
}

export interface ProbeProtocol {
  /** Its name in the `protocol` label of `health_monitor_probes_total`. */
  readonly name: string;
  /** The URL schemes it probes, as `URL.protocol` spells them (`'http:'`). */
  readonly schemes: readonly string[];
  /** The schemes among `schemes` that speak TLS: `tls_skip_verify` applies to these only. */
  readonly tlsSchemes: readonly string[];
  /** Whether `health_path` means anything to it: a registration giving one to a protocol without is refused. */
  readonly healthPath: boolean;
  /**
   * The protocol's own check of a URL at registration, after the shared ones (absolute, a known scheme,
   * a host, no credentials): `null` when it can be probed, else the problem in words. Pure: it runs on
   * the API thread. `text` is the URL as sent, `url` as parsed.
   */
  checkUrl(url: URL, text: string): string | null;
  /**
   * Builds a probe thread's prober (once per thread: connections are kept from probe to probe). Async,
   * so the implementation and its client are loaded there, not by the API thread reading `schemes`.
   */
  createProber(context: ProberContext): Promise<ProbeAttempt>;
}
