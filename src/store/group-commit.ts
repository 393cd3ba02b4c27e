// Joins registry writes that queue up behind one another into one transaction: with synchronous=FULL
// every commit is an fsync, so 64 concurrent registrations cost one fsync instead of 64.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Mailbox } from './mailbox.js';

/** Larger batches would hold the mailbox (and every query behind it) for one long transaction. */
export const MAX_GROUP_SIZE = 1000;

export class GroupCommit<Op> {
  private open: Op[] | null = null;
  /** The open group waits for its gathering time and is not in the mailbox yet. */
  private gathering = false;

  constructor(
    private readonly mailbox: Mailbox,
    private readonly commit: (ops: Op[]) => Promise<void>,
    /**
     * 0: a group gathers for one turn of the event loop. More: it gathers this long before it enters
     * the mailbox, for a database that pays per transaction (a round trip, a commit on another host).
     */
    private readonly gatherMs = 0,
  ) {}

  /**
   * Adds `op` to the group waiting at the end of the mailbox, or starts a new one. A group is open only
   * while it is the mailbox's last job, so joining it never lets an op overtake one submitted before it.
   */
  add(op: Op): void {
    if (this.open === null || this.open.length >= MAX_GROUP_SIZE) {
      const group: Op[] = [];
      this.open = group;
      const submit = (): void => {
        if (this.open === group) this.gathering = false;
        void this.mailbox.submit(async () => {
          // Requests that arrived together are read in one poll phase, and each one's registration is a
          // message of its own. Waiting one turn lets them all join this group instead of each paying an fsync.
          if (this.gatherMs === 0) await nextTurn();
          if (this.open === group) this.open = null;
          return this.commit(group);
        });
      };
      if (this.gatherMs > 0) {
        this.gathering = true;
        setTimeout(submit, this.gatherMs);
      } else submit();
    }
    this.open.push(op);
  }

  /**
   * Called when any other job enters the mailbox: later ops must queue behind it. A group still gathering
   * stays open: none of its ops is answered yet, so running it after that job reorders nothing anyone saw.
   */
  seal(): void {
    if (!this.gathering) this.open = null;
  }
}
