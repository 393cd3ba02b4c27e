// Every notice waiting in any receiver's queue, oldest first, against one bound in count and bytes for
// the whole monitor: per-receiver bounds alone multiply by the number of receivers, which registrants choose.
import type { Notice } from './notice.js';

/**
 * What a waiting notice is charged beyond its body's UTF-8 bytes: the Notice object, its id and service
 * strings, and the bookkeeping here (docs/webhooks.md has the measurement).
 */
export const NOTICE_OVERHEAD_BYTES = 1024;

/** A queue that holds waiting notices. */
export interface NoticeHolder {
  /** Takes `pending` out of its waiting line; the ledger has already let go of it. */
  evict(pending: PendingNotice<this>): void;
}

/** One notice waiting for one or more receivers: charged once, however many. */
export interface PendingNotice<H extends NoticeHolder = NoticeHolder> {
  readonly notice: Notice;
  readonly bytes: number;
  /** The queues it still waits in. */
  readonly holders: Set<H>;
}

export interface PendingLimits {
  readonly maxNotices: number;
  readonly maxBytes: number;
}

export class PendingNotices<H extends NoticeHolder> {
  /** Insertion order is age order: the first entry is the oldest. */
  private readonly byAge = new Set<PendingNotice<H>>();
  private totalBytes = 0;

  constructor(
    private readonly limits: PendingLimits,
    /** Once per holder of each notice the bound pushed out. */
    private readonly onEvicted: (holder: H, pending: PendingNotice<H>) => void,
  ) {}

  get size(): number {
    return this.byAge.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Charges a new notice, then drops the oldest notices until the bound holds again. Returns the
   * entry for the holders to queue; the caller queues it before calling `enforce`.
   */
  admit(notice: Notice, holders: Iterable<H>): PendingNotice<H> {
    const pending: PendingNotice<H> = {
      notice,
      bytes: notice.bytes + NOTICE_OVERHEAD_BYTES,
      holders: new Set(holders),
    };
    this.byAge.add(pending);
    this.totalBytes += pending.bytes;
    return pending;
  }

  /** Drops the oldest waiting notices, from every queue that holds them, until within the bound. */
  enforce(): void {
    while (this.byAge.size > this.limits.maxNotices || this.totalBytes > this.limits.maxBytes) {
      const oldest = this.byAge.values().next();
      if (oldest.done === true) return;
      const pending = oldest.value;
      const holders = [...pending.holders];
      this.forget(pending);
      for (const holder of holders) {
        holder.evict(pending);
        this.onEvicted(holder, pending);
      }
    }
  }

  /** `holder` no longer holds `pending` (taken for delivery, dropped or discarded). */
  release(pending: PendingNotice<H>, holder: H): void {
    pending.holders.delete(holder);
    if (pending.holders.size === 0) this.forget(pending);
  }

  private forget(pending: PendingNotice<H>): void {
    pending.holders.clear();
    if (this.byAge.delete(pending)) this.totalBytes -= pending.bytes;
  }
}
