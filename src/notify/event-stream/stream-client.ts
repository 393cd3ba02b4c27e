// One connected stream client: replays what it missed, then follows live events through a bounded queue.
import type { StoredEvent } from '../../store/persistence.js';
import type { SseFrame, SseSink } from './sse-sink.js';

/** Where missed events come from: the persisted event log. */
export interface EventReplay {
  eventsAfter(afterId: number, limit: number): Promise<readonly StoredEvent[]>;
  oldestEventId(): Promise<number | null>;
  readonly lastEventId: number;
}

export interface StreamClientOptions {
  readonly sink: SseSink;
  readonly replay: EventReplay;
  /** The client's Last-Event-ID, or `null` for live events only. */
  readonly lastEventId: number | null;
  /** Frames waiting for a slow client before it is dropped. */
  readonly maxQueued: number;
  /** How long the final frame may take before the connection is cut. */
  readonly finalWriteMs: number;
  readonly onGone: () => void;
}

const REPLAY_PAGE = 500;

export const eventFrame = (event: StoredEvent): SseFrame => ({
  kind: 'event',
  id: event.id,
  event: event.kind,
  data: event.data,
});

export class StreamClient {
  private readonly queue: SseFrame[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  /** Events up to this id were sent (or were before the client's Last-Event-ID): later copies are skipped. */
  private sentThrough = 0;

  constructor(private readonly options: StreamClientOptions) {}

  /** Queues a frame; never waits. A client whose queue is full is dropped. */
  offer(frame: SseFrame): void {
    if (this.closed) return;
    if (this.queue.length >= this.options.maxQueued) {
      const data = JSON.stringify({
        reason: `client too slow: ${this.queue.length} frames waiting`,
        last_event_id: this.sentThrough,
      });
      void this.finish({ kind: 'notice', event: 'dropped', data });
      return;
    }
    this.queue.push(frame);
    this.wake?.();
  }

  /** Ends the stream with a last notice (at shutdown, for example), cutting it after `finalWriteMs`. */
  end(notice: SseFrame, finalWriteMs: number): Promise<void> {
    return this.finish(notice, finalWriteMs);
  }

  /** Sends until the client goes or is dropped. */
  async run(): Promise<void> {
    const { lastEventId } = this.options;
    // The first bytes: the client knows it is subscribed before anything happens.
    await this.options.sink.send({ kind: 'comment', text: 'connected' });
    if (lastEventId !== null) await this.replayAfter(lastEventId);
    while (!this.closed) {
      const frame = this.queue.shift();
      if (frame === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      if (frame.kind === 'event' && frame.id <= this.sentThrough) continue;
      // Counted as sent once handed over: the dropped notice, written after it, must not name an earlier id.
      if (frame.kind === 'event') this.sentThrough = frame.id;
      await this.options.sink.send(frame);
    }
  }

  /** The client went away on its own. */
  disconnected(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.wake?.();
    this.options.onGone();
  }

  private async replayAfter(afterId: number): Promise<void> {
    const { replay, sink } = this.options;
    const lastId = replay.lastEventId;
    if (afterId > lastId) {
      // An id from another database, or a log that was reset: resume from what this monitor has.
      this.sentThrough = lastId;
      await sink.send({
        kind: 'notice',
        event: 'reset',
        data: JSON.stringify({
          reason: `Last-Event-ID ${afterId} is ahead of this monitor's log`,
          last_event_id: lastId,
        }),
      });
      return;
    }
    this.sentThrough = afterId;
    const oldest = await replay.oldestEventId();
    if (afterId < lastId && (oldest === null || oldest > afterId + 1)) {
      const data = JSON.stringify({
        reason: 'events after Last-Event-ID were pruned by the history retention',
        oldest_available: oldest,
      });
      await sink.send({ kind: 'notice', event: 'gap', data });
    }
    for (let cursor = afterId; !this.closed;) {
      const page = await replay.eventsAfter(cursor, REPLAY_PAGE);
      for (const event of page) {
        if (this.closed) return;
        this.sentThrough = cursor = event.id;
        await sink.send(eventFrame(event));
      }
      if (page.length < REPLAY_PAGE) return;
    }
  }

  private async finish(notice: SseFrame, finalWriteMs = this.options.finalWriteMs): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.wake?.();
    this.options.onGone();
    const { sink } = this.options;
    const cut = setTimeout(() => sink.destroy(), finalWriteMs);
    try {
      await sink.send(notice);
      await sink.close();
    } finally {
      clearTimeout(cut);
    }
  }
}
