// The notice outbox's relay: the owner of a shard takes its undelivered notices, hands them to the
// webhook notifier as transitions with a stable id, and marks each delivered once its receivers are done.
import { createHash } from 'node:crypto';
import type { Sql } from 'postgres';
import type { Health } from '../domain/index.js';
import type { MonitorEvents } from '../store/events.js';

interface NoticeRow {
  service_id: string;
  transition_id: number;
  from_health: Health;
  from_ready: boolean;
  to_health: Health;
  to_ready: boolean;
  reason: string;
  at: number;
}

interface NoticeKey {
  readonly serviceId: string;
  readonly transitionId: number;
}

/** Notices settled within this long are marked delivered in one statement. */
const MARK_GATHER_MS = 50;

export interface OutboxRelayOptions {
  readonly sql: Sql;
  readonly replicaId: string;
  /** The webhook notifier's event source: outbox transitions are emitted there. */
  readonly notices: MonitorEvents;
  readonly pollMs?: number;
  readonly onError?: (error: unknown) => void;
}

/** The same UUID-shaped id for a (service, transition) on every replica: receivers deduplicate by it. */
export function noticeIdOf(serviceId: string, transitionId: number): string {
  const hex = createHash('sha256').update(`${serviceId}\n${transitionId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Notice id → its outbox key, until it is marked delivered. */
  private readonly inFlight = new Map<string, NoticeKey>();
  /** Settled, to be marked delivered by the next mark. */
  private readonly delivered: NoticeKey[] = [];
  private marking: NodeJS.Timeout | null = null;
  private readonly marks = new Set<Promise<void>>();

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 1000);
    this.kick();
  }

  /** Stops claiming; what was settled is marked delivered before it resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.running;
    if (this.marking !== null) clearTimeout(this.marking);
    this.markDelivered();
    await Promise.all(this.marks);
  }

  /** Looks for notices now: a transition was just committed, or shards were taken over. */
  kick(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.take()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** The notifier is done with a notice: no later owner sends it again. Marked with others settled soon after. */
  settled(noticeId: string): void {
    const key = this.inFlight.get(noticeId);
    if (key === undefined) return;
    this.inFlight.delete(noticeId);
    this.delivered.push(key);
    this.marking ??= setTimeout(() => this.markDelivered(), MARK_GATHER_MS);
  }

  private markDelivered(): void {
    this.marking = null;
    const keys = this.delivered.splice(0);
    if (keys.length === 0) return;
    const { sql } = this.options;
    const done = sql`
      UPDATE notices n SET delivered_at = now()
      FROM unnest(${sql.array(keys.map((key) => key.serviceId))}::text[],
                  ${sql.array(keys.map((key) => key.transitionId))}::bigint[]) AS d(service_id, transition_id)
      WHERE n.service_id = d.service_id AND n.transition_id = d.transition_id`
      .then(() => undefined)
      .catch((error: unknown) => this.options.onError?.(error));
    this.marks.add(done);
    void done.finally(() => this.marks.delete(done));
  }

  /**
   * Claims what this replica's live leases cover and nobody under the current epoch has claimed: a
   * notice claimed by a previous owner that never marked it delivered is taken again, with the same id.
   */
  private async take(): Promise<void> {
    const { sql, replicaId } = this.options;
    const rows = await sql<NoticeRow[]>`
      UPDATE notices n SET claimed_by = ${replicaId}, claimed_epoch = l.epoch
      FROM shard_leases l
      WHERE l.shard = n.shard AND l.owner = ${replicaId} AND l.expires_at > now()
        AND n.delivered_at IS NULL AND (n.claimed_epoch IS NULL OR n.claimed_epoch < l.epoch)
      RETURNING n.service_id, n.transition_id, n.from_health, n.from_ready, n.to_health, n.to_ready, n.reason, n.at`;
    rows.sort((a, b) => a.transition_id - b.transition_id);
    for (const row of rows) {
      const noticeId = noticeIdOf(row.service_id, row.transition_id);
      this.inFlight.set(noticeId, { serviceId: row.service_id, transitionId: row.transition_id });
      this.options.notices.emit('transition', {
        serviceId: row.service_id,
        from: { health: row.from_health, ready: row.from_ready },
        to: { health: row.to_health, ready: row.to_ready },
        reason: row.reason,
        at: row.at,
        noticeId,
      });
    }
  }
}
