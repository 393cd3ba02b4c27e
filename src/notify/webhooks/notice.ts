// What a webhook says: the notice kinds, the JSON body receivers get, and which state changes are worth one.
import { randomUUID } from 'node:crypto';
import { isFailure, type Health, type HealthVerdict } from '../../domain/index.js';

/**
 * `transition`: health changed (and it is not a recovery); `resolved`: health became `healthy` after
 * `degraded`, `unhealthy` or `dead`; `reminder`: still `unhealthy` or `dead`; `expired`: removed by
 * deregister_after_sec. See docs/webhooks.md.
 */
export const NOTICE_KINDS = ['transition', 'resolved', 'reminder', 'expired'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** The JSON body POSTed to receivers; snake_case like the rest of the wire contract. */
export interface NoticePayload {
  /** Unique per notice and the same on every retry and every receiver: receivers deduplicate by it. */
  readonly id: string;
  readonly event: NoticeKind;
  readonly service: string;
  readonly url: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** `null` for a reminder (nothing changed). */
  readonly from: HealthVerdict | null;
  /** `null` for `expired` (the service is gone). */
  readonly to: HealthVerdict | null;
  readonly reason: string;
  /** ISO-8601: when the change was observed, the reminder sent or the service removed. */
  readonly at: string;
  /** ISO-8601: since when the service has been `unhealthy` or `dead` without a break; `null` when it is not. */
  readonly bad_since: string | null;
  readonly bad_for_sec: number | null;
}

/**
 * A notice ready to send. Its body is rendered only while some delivery of it is in progress and shared
 * by those deliveries: a waiting notice holds its payload, whose attributes are the registration's own
 * object, rather than tens of kilobytes of JSON that would outlive the young generation and then be
 * dropped (docs/webhooks.md, "Bounds"). The payload never changes, so every receiver gets the same bytes.
 */
export class Notice {
  readonly id: string;
  readonly event: NoticeKind;
  readonly service: string;
  /** UTF-8 bytes of the body: what the notice costs once rendered, and what the global bound charges. */
  readonly bytes: number;
  private rendered: Buffer | null = null;
  private readers = 0;

  constructor(private readonly payload: NoticePayload) {
    this.id = payload.id;
    this.event = payload.event;
    this.service = payload.service;
    // Rendered once to be measured; the string dies young.
    this.bytes = Buffer.byteLength(JSON.stringify(payload));
  }

  /** The JSON body in UTF-8, rendered for a delivery; every `openBody` is paired with one `closeBody`. */
  openBody(): Buffer {
    this.readers++;
    this.rendered ??= Buffer.from(JSON.stringify(this.payload));
    return this.rendered;
  }

  closeBody(): void {
    this.readers = Math.max(0, this.readers - 1);
    if (this.readers === 0) this.rendered = null;
  }

  /** The body, rendered afresh: for tests and logs, not deliveries. */
  get body(): string {
    return JSON.stringify(this.payload);
  }
}

/** What a notice says, with times as epoch ms; `buildNotice` turns it into the payload. */
export type NoticeContent = Pick<
  NoticePayload,
  'event' | 'service' | 'url' | 'attributes' | 'from' | 'to' | 'reason'
> & {
  /** Epoch ms. */
  readonly at: number;
  /** Epoch ms, or `null` when the service is not in a bad state. */
  readonly badSince: number | null;
};

const verdict = (value: HealthVerdict | null): HealthVerdict | null =>
  value === null ? null : { health: value.health, ready: value.ready };

export function buildNotice(content: NoticeContent, id: string = randomUUID()): Notice {
  const payload: NoticePayload = {
    id,
    event: content.event,
    service: content.service,
    url: content.url,
    attributes: content.attributes,
    from: verdict(content.from),
    to: verdict(content.to),
    reason: content.reason,
    at: new Date(content.at).toISOString(),
    bad_since: content.badSince === null ? null : new Date(content.badSince).toISOString(),
    bad_for_sec: content.badSince === null ? null : Math.max(0, Math.floor((content.at - content.badSince) / 1000)),
  };
  return new Notice(payload);
}

/**
 * The notice a health change deserves, or `null` for none. Only health counts: a readiness change
 * with the same health (an unhealthy service flipping between a bad body and a 5xx) is not news, and
 * the next notice carries the current readiness anyway.
 */
export function noticeKindForChange(from: Health, to: Health): 'transition' | 'resolved' | null {
  if (from === to) return null;
  // Degraded resolves too: a receiver that opened an incident on the degraded notice can close it.
  if (to === 'healthy' && (from === 'degraded' || isFailure(from))) return 'resolved';
  return 'transition';
}

/** The states reminded about: the ones flap damping counts as failures, the same as `bad_since`. */
export const needsReminders = isFailure;
