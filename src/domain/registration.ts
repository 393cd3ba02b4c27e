// A service's registration as the wire gave it, and the effective settings derived from it.

export interface RegistrationRequest {
  readonly id: string;
  readonly url: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly pollIntervalSec?: number | undefined;
  readonly healthPath?: string | undefined;
  readonly timeoutMs?: number | undefined;
  readonly failureThreshold?: number | undefined;
  readonly successThreshold?: number | undefined;
  readonly errorRateThreshold?: number | undefined;
  readonly deregisterAfterSec?: number | undefined;
  /** Where this service's state changes are POSTed, besides WEBHOOK_URLS. */
  readonly webhookUrl?: string | undefined;
  /** A 200 answer slower than this is `degraded`. */
  readonly degradedLatencyMs?: number | undefined;
  /** https: probe without verifying the certificate (a self-signed target). Never the default. */
  readonly tlsSkipVerify?: boolean | undefined;
  /** grpc(s): the service name asked about in grpc.health.v1 Check; `""` (the default) is the whole server. */
  readonly grpcService?: string | undefined;
  /** The services this one depends on: while one is down, this one's notices are held back. */
  readonly dependsOn?: readonly string[] | undefined;
}

/** Global defaults that apply where a registration leaves a setting out. */
export interface ProbeDefaults {
  readonly pollIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly probeRetries: number;
  readonly errorRateThreshold: number;
  /** `null`: services are never expired unless their registration asks for it. */
  readonly deregisterAfterSec: number | null;
  /** TLS_EXPIRY_WARN_DAYS; DEFAULT_TLS_EXPIRY_WARN_DAYS when not given. */
  readonly tlsExpiryWarnDays?: number;
}

export interface ServiceSettings {
  readonly intervalMs: number;
  readonly healthPath: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly errorRateThreshold: number;
  readonly deregisterAfterMs: number | null;
  /** `null`: response time never degrades the service. */
  readonly degradedLatencyMs: number | null;
  readonly tlsSkipVerify: boolean;
  /** grpc(s) only: the service name the health Check asks about; `""` for the server as a whole. */
  readonly grpcService: string;
  /** A certificate expiring within this many days makes the service `degraded`. */
  readonly tlsExpiryWarnDays: number;
}

export const DEFAULT_HEALTH_PATH = '/health';
export const DEFAULT_TLS_EXPIRY_WARN_DAYS = 14;

export function resolveSettings(request: RegistrationRequest, defaults: ProbeDefaults): ServiceSettings {
  const deregisterAfterSec = request.deregisterAfterSec ?? defaults.deregisterAfterSec;
  const intervalMs = request.pollIntervalSec !== undefined ? request.pollIntervalSec * 1000 : defaults.pollIntervalMs;
  return {
    intervalMs,
    healthPath: request.healthPath ?? DEFAULT_HEALTH_PATH,
    // A probe that outlives its interval would make the service permanently overdue.
    timeoutMs: Math.min(request.timeoutMs ?? defaults.probeTimeoutMs, intervalMs),
    retries: defaults.probeRetries,
    failureThreshold: request.failureThreshold ?? 1,
    successThreshold: request.successThreshold ?? 1,
    errorRateThreshold: request.errorRateThreshold ?? defaults.errorRateThreshold,
    deregisterAfterMs: deregisterAfterSec === null ? null : deregisterAfterSec * 1000,
    degradedLatencyMs: request.degradedLatencyMs ?? null,
    tlsSkipVerify: request.tlsSkipVerify ?? false,
    grpcService: request.grpcService ?? '',
    tlsExpiryWarnDays: defaults.tlsExpiryWarnDays ?? DEFAULT_TLS_EXPIRY_WARN_DAYS,
  };
}
