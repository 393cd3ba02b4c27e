// Store events → webhook notices: decides what is worth telling whom, and hands each notice to the
// receivers' queues without waiting for any of them.
import type { Logger } from 'pino';
import { Agent } from 'undici';
import { EVERY_SERVICE, impactedBy, isFailure, type Health, type HealthVerdict } from '../../domain/index.js';
import { guardedConnector } from '../../net/target-guard.js';
import type { DeregisteredEvent, MonitorEventMap, RegisteredEvent, TransitionEvent } from '../../store/events.js';
import type { ServiceRecord } from '../../store/service-record.js';
import { buildNotice, needsReminders, noticeKindForChange, type NoticeContent } from './notice.js';
import { FoldedWarnings } from './folded-warnings.js';
import {
  resolveNotifierOptions,
  type DiscardReason,
  type ResolvedNotifierOptions,
  type WebhookNotifierOptions,
} from './notifier-options.js';
import { PendingNotices } from './pending-notices.js';
import { receiverLabel } from './receiver-label.js';
import { ReceiverQueue, type DeliveryOutcome } from './receiver-queue.js';
import { ReminderWheel } from './reminder-wheel.js';

export type { DiscardReason, WebhookNotifierOptions } from './notifier-options.js';
export type { DeliveryOutcome } from './receiver-queue.js';

export interface WebhookNotifier {
  /** Unsubscribes, stops reminders, lets deliveries finish within the grace, then cuts the rest. Never rejects. */
  stop(): Promise<void>;
}

/** What the notifier remembers of a service between events. */
interface Watched {
  /** The latest record seen: the registration (webhook_url) and the state as of the last transition. */
  readonly record: ServiceRecord;
  /** The health receivers were last told about: the same health is never announced twice in a row. */
  readonly told: Health;
  /** A transition was held back while a dependency was down: when they are all up, say where it stands. */
  readonly heldBack?: boolean;
}

/** One spelling per receiver, so a webhook_url that is also in WEBHOOK_URLS gets each notice once. */
const normalizedUrl = (url: string): string => new URL(url).href;

const verdictOf = (record: ServiceRecord): HealthVerdict => ({
  health: record.state.health,
  ready: record.state.ready,
});

export function startWebhookNotifier(options: WebhookNotifierOptions): WebhookNotifier {
  const notifier = new Notifier(resolveNotifierOptions(options));
  return { stop: () => notifier.stop() };
}

class Notifier {
  private readonly log: Logger;
  private readonly shutdown = new AbortController();
  private readonly everyService: ReadonlySet<string>;
  private readonly queues = new Map<string, ReceiverQueue>();
  /** Every queue's waiting notices under one bound: receivers are as many as registrants want. */
  private readonly pending: PendingNotices<ReceiverQueue>;
  private readonly failures: FoldedWarnings;
  private readonly overflows: FoldedWarnings;
  private readonly watched = new Map<string, Watched>();
  /** Outbox notices still being delivered: receivers that have not finished with each. */
  private readonly unsettled = new Map<string, number>();
  private readonly reminders: ReminderWheel | null;
  /** Connects to WEBHOOK_URLS receivers: the operator's choice, not checked. */
  private readonly trustedAgent = new Agent();
  /**
   * Connects to services' own webhook_urls: the host is checked before connecting and every resolved
   * address before the socket gets it, like a probe. A separate pool, so a connection opened to a
   * trusted receiver is never reused for a registrant's URL.
   */
  private readonly guardedAgent: Agent;
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: ResolvedNotifierOptions) {
    // The caller names the component: a child here would write the field a second time.
    this.log = options.logger;
    this.failures = new FoldedWarnings(this.log, options.warnIntervalMs, 'webhook delivery failed', 'failures');
    this.overflows = new FoldedWarnings(
      this.log,
      options.warnIntervalMs,
      'webhook notices dropped: global bound reached',
      'notices',
    );
    this.pending = new PendingNotices(
      { maxNotices: options.maxQueuedNotices, maxBytes: options.maxQueuedBytes },
      (queue) => this.onEvicted(queue),
    );
    this.guardedAgent = new Agent({ connect: guardedConnector(options.targetPolicy) });
    this.everyService = new Set(options.receivers.map(normalizedUrl));
    this.reminders =
      options.reminderMs === null
        ? null
        : new ReminderWheel(options.reminderMs, (id) => this.guard('reminder', () => this.remind(id)));
    for (const record of options.services) {
      this.watched.set(record.request.id, { record, told: record.state.health });
      // Bad before a restart and still bad: reminders go on.
      if (needsReminders(record.state.health)) this.reminders?.track(record.request.id);
    }
    options.events.on('registered', this.onRegistered);
    options.events.on('transition', this.onTransition);
    options.events.on('deregistered', this.onDeregistered);
    options.events.on('maintenanceEnded', this.onMaintenanceEnded);
  }

  private readonly onRegistered = (event: RegisteredEvent): void =>
    this.guard('registered', () => {
      const id = event.service.request.id;
      this.watched.set(id, { record: event.service, told: event.service.state.health });
      // The owner has just announced the service: reminders stop until it next turns bad.
      this.reminders?.untrack(id);
    });

  private readonly onTransition = (event: TransitionEvent): void =>
    this.guard('transition', () => {
      const id = event.serviceId;
      const known = this.watched.get(id);
      // In the store the record already carries this transition's state (bad_since, webhook_url).
      const record = this.options.lookup(id) ?? known?.record;
      if (record === undefined) return;
      const { outbox } = this.options;
      // From the outbox, each transition is judged on its own: what this replica told before may be stale.
      const told = outbox !== null ? event.from.health : (known?.told ?? event.from.health);
      const kind = noticeKindForChange(event.from.health, event.to.health);
      // A dependency that comes back releases what its dependants held back meanwhile.
      if (isFailure(event.from.health) && !isFailure(event.to.health)) this.releaseDependants(id);
      const impacted = event.impactedBy ?? [];
      const window = this.options.maintenanceOf(id);
      if ((impacted.length > 0 || window !== null) && kind !== null) {
        // Caused, most likely, by a dependency that is down and announced for itself, or by planned
        // work: nothing now; where the service stands is told when that is over.
        this.watched.set(id, { record, told, heldBack: true });
        if (event.noticeId !== undefined) outbox?.settled(event.noticeId);
        this.log.debug({ service: id, impactedBy: impacted, maintenance: window !== null }, 'webhook notice held back');
        return;
      }
      // A readiness-only change (kind null) or a repeat of what receivers already heard is not sent.
      const announce = kind !== null && event.to.health !== told;
      this.watched.set(id, { record, told: announce ? event.to.health : told, heldBack: known?.heldBack ?? false });
      if (!announce) {
        if (event.noticeId !== undefined) outbox?.settled(event.noticeId);
        return;
      }
      if (needsReminders(event.to.health)) this.reminders?.track(id);
      else this.reminders?.untrack(id);
      this.send(
        record,
        {
          event: kind,
          from: event.from,
          to: event.to,
          reason: event.reason,
          at: event.at,
          badSince: needsReminders(event.to.health) ? (record.state.badSince ?? event.at) : null,
        },
        event.noticeId,
      );
    });

  private readonly onDeregistered = (event: DeregisteredEvent): void =>
    this.guard('deregistered', () => {
      const known = this.watched.get(event.serviceId);
      this.watched.delete(event.serviceId);
      this.reminders?.untrack(event.serviceId);
      // A deletion through the API is the operator's own act: nobody needs telling, and what was
      // still to be told goes too. Done now, before any later registration of the id can queue a notice.
      if (event.cause === 'deleted') this.forgetService(event.serviceId);
      // An expiry decided by another replica is that replica's to announce.
      if (event.cause !== 'expired' || known === undefined || event.remote === true) return;
      this.send(known.record, {
        event: 'expired',
        from: verdictOf(known.record),
        to: null,
        reason: event.reason,
        at: event.at,
        badSince: known.record.state.badSince,
      });
    });

  /**
   * Each service that held a notice back because `dependencyId` was down, now that every one of its
   * dependencies is up: one notice if it stands elsewhere than receivers last heard (it is still
   * bad, or was bad before), saying it was held back; none if it came back with its dependency.
   */
  private releaseDependants(dependencyId: string): void {
    for (const [id, watched] of this.watched) {
      if (watched.heldBack !== true || !(watched.record.request.dependsOn ?? []).includes(dependencyId)) continue;
      this.release(id, watched, `held back while ${dependencyId} was down`);
    }
  }

  /** A window ended: what its services held back meanwhile is told, as for a dependency. */
  private readonly onMaintenanceEnded = ({ scope }: { scope: string }): void =>
    this.guard('maintenanceEnded', () => {
      for (const [id, watched] of this.watched) {
        if (watched.heldBack !== true || (scope !== EVERY_SERVICE && scope !== id)) continue;
        this.release(id, watched, 'held back during maintenance');
      }
    });

  /** Tells receivers where a held-back service stands, once nothing holds it back any more. */
  private release(id: string, watched: Watched, why: string): void {
    const healthOf = (other: string): Health | undefined => this.options.lookup(other)?.state.health;
    const record = this.options.lookup(id) ?? watched.record;
    if (impactedBy(record.request.dependsOn, healthOf).length > 0 || this.options.maintenanceOf(id) !== null) return;
    const kind = noticeKindForChange(watched.told, record.state.health);
    this.watched.set(id, { record, told: record.state.health, heldBack: false });
    if (kind === null) return;
    if (needsReminders(record.state.health)) this.reminders?.track(id);
    else this.reminders?.untrack(id);
    const at = this.options.now();
    this.send(record, {
      event: kind,
      from: { health: watched.told, ready: watched.told === 'healthy' || watched.told === 'degraded' },
      to: verdictOf(record),
      reason: `${record.state.reason} (${why})`,
      at,
      badSince: needsReminders(record.state.health) ? (record.state.badSince ?? at) : null,
    });
  }

  private remind(serviceId: string): void {
    const record = this.options.lookup(serviceId);
    if (record === undefined || !needsReminders(record.state.health)) {
      this.reminders?.untrack(serviceId);
      return;
    }
    if (this.options.outbox?.owns(serviceId) === false) return;
    if (this.options.maintenanceOf(serviceId) !== null) return;
    const at = this.options.now();
    this.send(record, {
      event: 'reminder',
      from: null,
      to: verdictOf(record),
      reason: record.state.reason,
      at,
      badSince: record.state.badSince ?? at,
    });
  }

  /** Enqueues one notice for every receiver of the service; returns at once. */
  private send(
    record: ServiceRecord,
    content: Omit<NoticeContent, 'service' | 'url' | 'attributes'>,
    noticeId?: string,
  ): void {
    const { request } = record;
    const receivers = new Set(this.everyService);
    const own = request.webhookUrl;
    if (own !== undefined) this.guard('notice', () => receivers.add(normalizedUrl(own)));
    const settle = (): void => {
      if (noticeId !== undefined) this.options.outbox?.settled(noticeId);
    };
    // Most services have nobody to tell: no notice is built for them (a UUID and a JSON body each).
    if (receivers.size === 0) return settle();
    const notice = buildNotice(
      { ...content, service: request.id, url: request.url, attributes: request.attributes },
      noticeId,
    );
    const queues: ReceiverQueue[] = [];
    for (const url of receivers) {
      // One receiver's trouble must not cost the others their notice.
      this.guard('notice', () => queues.push(this.queueFor(url)));
    }
    if (queues.length === 0) return settle();
    if (noticeId !== undefined) this.unsettled.set(noticeId, queues.length);
    const pending = this.pending.admit(notice, queues);
    for (const queue of queues) this.guard('notice', () => queue.enqueue(pending));
    this.pending.enforce();
  }

  private forgetService(serviceId: string): void {
    let forgotten = 0;
    for (const queue of this.queues.values()) {
      const count = queue.forgetService(serviceId);
      for (let i = 0; i < count; i++) this.discarded('service_deleted', queue);
      forgotten += count;
    }
    if (forgotten > 0)
      this.log.info({ service: serviceId, notices: forgotten }, 'webhook notices of a deleted service discarded');
  }

  private onEvicted(queue: ReceiverQueue): void {
    this.discarded('global_bound', queue);
    this.overflows.warn('global', 1, {
      queued: this.pending.size,
      queuedBytes: this.pending.bytes,
      maxNotices: this.options.maxQueuedNotices,
      maxBytes: this.options.maxQueuedBytes,
    });
  }

  private discarded(reason: DiscardReason, queue: ReceiverQueue): void {
    try {
      this.options.onDiscard(reason, receiverLabel(queue.url));
    } catch (error) {
      this.log.error({ err: error, reason }, 'webhook discard callback failed');
    }
  }

  private queueFor(url: string): ReceiverQueue {
    const existing = this.queues.get(url);
    if (existing !== undefined) return existing;
    const label = receiverLabel(url);
    // A URL that is both configured and some service's webhook_url counts as configured.
    const trusted = this.everyService.has(url);
    const queue: ReceiverQueue = new ReceiverQueue(url, {
      timeoutMs: this.options.timeoutMs,
      retries: this.options.retries,
      secret: this.options.secret,
      backoff: this.options.backoff,
      now: this.options.now,
      shutdown: this.shutdown.signal,
      dispatcher: trusted ? this.trustedAgent : this.guardedAgent,
      maxQueued: this.options.maxQueuedPerReceiver,
      pending: this.pending,
      onOutcome: (outcome) => this.count(outcome, label),
      onFinished: (notice) => this.finished(notice.id),
      // An outbox notice goes out only while this replica still owns its service: the new owner sends it.
      stillWanted: (notice) => !this.unsettled.has(notice.id) || this.options.outbox?.owns(notice.service) !== false,
      // Per receiver origin, as named in the line: a receiver that fails every notice writes one line an interval.
      onFailed: (notice, result) =>
        this.failures.warn(label, 1, {
          receiver: label,
          notice: notice.id,
          event: notice.event,
          service: notice.service,
          attempts: result.attempts,
          error: result.error,
        }),
      // A service's own receiver is forgotten once idle, so memory follows the receivers in use.
      onIdle: () => {
        if (!this.everyService.has(url) && this.queues.get(url) === queue && queue.idle) this.queues.delete(url);
      },
    });
    this.queues.set(url, queue);
    return queue;
  }

  private finished(noticeId: string): void {
    const left = this.unsettled.get(noticeId);
    if (left === undefined) return;
    if (left > 1) {
      this.unsettled.set(noticeId, left - 1);
      return;
    }
    this.unsettled.delete(noticeId);
    this.guard('notice', () => this.options.outbox?.settled(noticeId));
  }

  private count(outcome: DeliveryOutcome, receiver: string): void {
    try {
      this.options.onDelivery(outcome, receiver);
    } catch (error) {
      this.log.error({ err: error, outcome, receiver }, 'webhook outcome callback failed');
    }
  }

  /** A listener that throws would stop the store's other listeners for that event. */
  private guard(event: keyof MonitorEventMap | 'reminder' | 'notice', work: () => void): void {
    try {
      work();
    } catch (error) {
      this.log.error({ err: error, event }, 'webhook notifier failed');
    }
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    const { events } = this.options;
    events.off('registered', this.onRegistered);
    events.off('transition', this.onTransition);
    events.off('deregistered', this.onDeregistered);
    events.off('maintenanceEnded', this.onMaintenanceEnded);
    this.reminders?.stop();
    // No notice can be added from here on, so this list is final.
    const queues = [...this.queues.values()];
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, this.options.stopGraceMs)));
    await Promise.race([Promise.all(queues.map((queue) => queue.whenIdle())), graceOver]);
    clearTimeout(graceTimer);
    this.shutdown.abort(new Error('webhook notifier stopped'));
    await Promise.all(queues.map((queue) => queue.whenIdle()));
    let lost = 0;
    for (const queue of queues) {
      queue.discard();
      lost += queue.interrupted;
    }
    this.failures.flush();
    this.overflows.flush();
    if (lost > 0) this.log.warn({ notices: lost }, 'webhook notices not delivered before shutdown');
    this.queues.clear();
    this.watched.clear();
    // Nothing is in flight any more: this only closes idle keep-alive connections.
    await Promise.all([this.trustedAgent, this.guardedAgent].map((agent) => agent.close().catch(() => undefined)));
  }
}
