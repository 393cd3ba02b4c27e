// Joins registry writes that queue up behind one another into one transaction: with synchronous=FULL
// every commit is an fsync, so 64 concurrent registrations cost one fsync instead of 64.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Mailbox } from './mailbox.js';

/** Larger batches would hold the mailbox (and every query behind it) for one long transaction. */
export const MAX_GROUP_SIZE = 1000;

export class GroupCommit<Op> {
  private open: Op[] | null = null;

  constructor(
    private readonly mailbox: Mailbox,
    private readonly commit: (ops: Op[]) => Promise<void>,
  ) {}

  /**
   * Adds `op` to the group waiting at the end of the mailbox, or starts a new one. A group is open only
   * while it is the mailbox's last job, so joining it never lets an op overtake one submitted before it.
   */
  add(op: Op): void {
    if (this.open === null || this.open.length >= MAX_GROUP_SIZE) {
      const group: Op[] = [];
      this.open = group;
      void this.mailbox.submit(async () => {
        // Requests that arrived together are read in one poll phase, and each one's registration is a
        // message of its own. Waiting one turn lets them all join this group instead of each paying an fsync.
        await nextTurn();
        if (this.open === group) this.open = null;
        return this.commit(group);
      });
    }
    this.open.push(op);
  }

  /** Called when any other job enters the mailbox: later ops must queue behind it. */
  seal(): void {
    this.open = null;
  }
}
