// Fans the store's event log out to every connected stream client, with a heartbeat; never waits for a client.
import type { MonitorEvents } from '../../store/events.js';
import type { StoredEvent } from '../../store/persistence.js';
import type { SseSink } from './sse-sink.js';
import { eventFrame, StreamClient, type EventReplay } from './stream-client.js';

export interface EventStreamHubOptions {
  readonly events: MonitorEvents;
  readonly replay: EventReplay;
  /** A comment this often keeps proxies from closing an idle stream. */
  readonly heartbeatMs?: number;
  readonly maxQueued?: number;
  readonly finalWriteMs?: number;
}

export const DEFAULTS = { heartbeatMs: 15_000, maxQueued: 1000, finalWriteMs: 5000 } as const;

export class EventStreamHub {
  private readonly clients = new Set<StreamClient>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly onRecorded = (event: StoredEvent): void => {
    const frame = eventFrame(event);
    for (const client of this.clients) client.offer(frame);
  };

  constructor(private readonly options: EventStreamHubOptions) {
    options.events.on('recorded', this.onRecorded);
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) client.offer({ kind: 'comment', text: 'heartbeat' });
    }, options.heartbeatMs ?? DEFAULTS.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Registers the client before it replays, so nothing committed meanwhile is missed; resolves when it is gone. */
  connect(sink: SseSink, lastEventId: number | null): { client: StreamClient; done: Promise<void> } {
    const client: StreamClient = new StreamClient({
      sink,
      replay: this.options.replay,
      lastEventId,
      maxQueued: this.options.maxQueued ?? DEFAULTS.maxQueued,
      finalWriteMs: this.options.finalWriteMs ?? DEFAULTS.finalWriteMs,
      onGone: () => this.clients.delete(client),
    });
    this.clients.add(client);
    const done = client.run().catch(() => client.disconnected());
    return { client, done };
  }

  /** Stops the heartbeat and ends every stream with a `shutdown` notice, cutting those that do not take it within `finalWriteMs`. */
  async close(finalWriteMs = 1000): Promise<void> {
    this.options.events.off('recorded', this.onRecorded);
    clearInterval(this.heartbeat);
    const notice = {
      kind: 'notice',
      event: 'shutdown',
      data: JSON.stringify({ reason: 'the monitor is shutting down' }),
    } as const;
    await Promise.all([...this.clients].map((client) => client.end(notice, finalWriteMs)));
  }
}
