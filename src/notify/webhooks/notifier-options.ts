// What startWebhookNotifier takes, its defaults, and a specific error for every bad value.
import type { Logger } from 'pino';
import {
  webhookSecretProblem,
  webhookUrlProblem,
  type MaintenanceWindow,
  type TargetPolicy,
} from '../../domain/index.js';
import type { MonitorEvents } from '../../store/events.js';
import type { ServiceRecord } from '../../store/service-record.js';
import type { DeliveryOutcome } from './receiver-queue.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './retry-policy.js';

/**
 * Why a notice was discarded before delivery, beyond the per-receiver `dropped`: `global_bound`, pushed
 * out by the bound on every receiver's waiting notices; `service_deleted`, about a service deleted
 * through the API while it waited or was in flight.
 */
export type DiscardReason = 'global_bound' | 'service_deleted';

export interface WebhookNotifierOptions {
  readonly events: MonitorEvents;
  /** The store's current record of a service (`store.get`). */
  readonly lookup: (serviceId: string) => ServiceRecord | undefined;
  /** The maintenance window covering a service now (`store.maintenanceFor`): its notices wait. None by default. */
  readonly maintenanceOf?: (serviceId: string) => MaintenanceWindow | null;
  /**
   * The services already in the store at start (`store.list()`): their webhook_url is known if they
   * expire, and one already unhealthy or dead gets reminders.
   */
  readonly services?: readonly ServiceRecord[];
  /**
   * WEBHOOK_URLS: receivers of every service's notices. The operator chose them, so they are trusted:
   * `targetPolicy` does not apply to them, even when a service names the same URL as its webhook_url.
   */
  readonly receivers: readonly string[];
  /**
   * ALLOW_TARGETS and the refusal of link-local (169.254.0.0/16, fe80::/10) and cloud metadata addresses
   * in every spelling (`targetPolicy(config.allowTargets)`), enforced on every connection to a service's
   * own webhook_url: a registrant must not be able to make the monitor POST to an address it would refuse
   * to probe. A refused delivery fails at once with the policy's reason.
   */
  readonly targetPolicy: TargetPolicy;
  /** WEBHOOK_SECRET: signs deliveries when set. */
  readonly secret: string | null;
  /** Reminder period while a service stays bad; `null`: no reminders. */
  readonly reminderMs: number | null;
  readonly timeoutMs: number;
  /** Attempts after the first. */
  readonly retries: number;
  /** Already named for its component by the caller (src/main.ts: `component: webhooks`); the notifier adds no field. */
  readonly logger: Logger;
  /** Counts outcomes per receiver (named by origin); src/main.ts wires it to Prometheus. */
  readonly onDelivery?: (outcome: DeliveryOutcome, receiver: string) => void;
  /** Counts discarded notices, once per receiver each was waiting for (named by origin), like `onDelivery`. */
  readonly onDiscard?: (reason: DiscardReason, receiver: string) => void;
  /** Wall clock, epoch ms: `at` of reminders, signed timestamps. */
  readonly now?: () => number;
  readonly backoff?: Partial<BackoffOptions>;
  /** Notices waiting per receiver behind the one in flight; default 1,000. */
  readonly maxQueuedPerReceiver?: number;
  /** Notices waiting for any receiver, all receivers together; default 10,000 (docs/webhooks.md). */
  readonly maxQueuedNotices?: number;
  /** Their bytes (bodies plus a fixed overhead each), all receivers together; default 32 MiB (docs/webhooks.md). */
  readonly maxQueuedBytes?: number;
  /** At most one line per receiver (failures) and one for the global bound (drops) per interval; default 10 s. */
  readonly warnIntervalMs?: number;
  /** How long stop() lets deliveries finish before cutting them; default 2 s. */
  readonly stopGraceMs?: number;
  /** Cluster mode: transitions come from the database's outbox, each with a stable notice id. */
  readonly outbox?: NoticeOutbox;
}

export interface NoticeOutbox {
  /** Every receiver of the notice has had its delivery attempts (or none needed it): mark it delivered. */
  settled(noticeId: string): void;
  /** Only the service's owner sends its reminders and its expiry notice. */
  owns(serviceId: string): boolean;
}

export interface ResolvedNotifierOptions extends Required<
  Omit<WebhookNotifierOptions, 'backoff' | 'onDelivery' | 'onDiscard' | 'outbox'>
> {
  readonly backoff: BackoffOptions;
  readonly onDelivery: (outcome: DeliveryOutcome, receiver: string) => void;
  readonly onDiscard: (reason: DiscardReason, receiver: string) => void;
  readonly outbox: NoticeOutbox | null;
}

export const DEFAULT_MAX_QUEUED = 1000;
export const DEFAULT_MAX_QUEUED_NOTICES = 10_000;
export const DEFAULT_MAX_QUEUED_BYTES = 32 * 1024 * 1024;
export const DEFAULT_WARN_INTERVAL_MS = 10_000;
export const DEFAULT_STOP_GRACE_MS = 2000;

export class WebhookOptionsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid webhook notifier options: ${problems.join('; ')}`);
    this.name = 'WebhookOptionsError';
  }
}

function positiveInteger(name: string, value: number, problems: string[], min = 1): void {
  if (!Number.isInteger(value) || value < min)
    problems.push(`${name} must be an integer of at least ${min}, got ${value}`);
}

/** Fills the defaults; throws a WebhookOptionsError naming every bad value. */
export function resolveNotifierOptions(options: WebhookNotifierOptions): ResolvedNotifierOptions {
  const problems: string[] = [];
  for (const url of options.receivers) {
    const problem = webhookUrlProblem(url);
    if (problem !== null) problems.push(`receiver ${url}: ${problem}`);
  }
  const secretProblem = options.secret === null ? null : webhookSecretProblem(options.secret);
  if (secretProblem !== null) problems.push(`secret ${secretProblem}`);
  if (options.reminderMs !== null) positiveInteger('reminderMs', options.reminderMs, problems);
  positiveInteger('timeoutMs', options.timeoutMs, problems);
  positiveInteger('retries', options.retries, problems, 0);
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  positiveInteger('backoff.baseMs', backoff.baseMs, problems, 0);
  positiveInteger('backoff.capMs', backoff.capMs, problems, 0);
  if (backoff.capMs < backoff.baseMs)
    problems.push(`backoff.capMs (${backoff.capMs}) must not be below backoff.baseMs (${backoff.baseMs})`);
  const maxQueuedPerReceiver = options.maxQueuedPerReceiver ?? DEFAULT_MAX_QUEUED;
  positiveInteger('maxQueuedPerReceiver', maxQueuedPerReceiver, problems);
  const maxQueuedNotices = options.maxQueuedNotices ?? DEFAULT_MAX_QUEUED_NOTICES;
  positiveInteger('maxQueuedNotices', maxQueuedNotices, problems);
  const maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  positiveInteger('maxQueuedBytes', maxQueuedBytes, problems);
  const warnIntervalMs = options.warnIntervalMs ?? DEFAULT_WARN_INTERVAL_MS;
  positiveInteger('warnIntervalMs', warnIntervalMs, problems);
  const stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  positiveInteger('stopGraceMs', stopGraceMs, problems, 0);
  if (problems.length > 0) throw new WebhookOptionsError(problems);
  return {
    ...options,
    services: options.services ?? [],
    maintenanceOf: options.maintenanceOf ?? (() => null),
    onDelivery: options.onDelivery ?? (() => undefined),
    onDiscard: options.onDiscard ?? (() => undefined),
    outbox: options.outbox ?? null,
    now: options.now ?? Date.now,
    backoff,
    maxQueuedPerReceiver,
    maxQueuedNotices,
    maxQueuedBytes,
    warnIntervalMs,
    stopGraceMs,
  };
}
