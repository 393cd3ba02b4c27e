// The fsync that makes a registry commit durable, run on libuv's thread pool instead of inside SQLite's
// commit on the connection's thread. SQLite's `synchronous = FULL` in WAL mode is `NORMAL` plus a sync
// of the write-ahead log at each commit; doing that sync ourselves, asynchronously, gives the same
// guarantee for what we acknowledge (we answer only after it) while the connection's thread goes on
// (on the API thread: reading the next registrations; on the storage thread: serving reads and the next
// probe batch). fsync applies to the file, whichever descriptor asks.
import { open, type FileHandle } from 'node:fs/promises';

/** How the log is opened for syncing; tests pass one that watches the handle's `datasync`. */
export type OpenLog = (path: string) => Promise<FileHandle>;

const openForSync: OpenLog = (path) => open(path, 'r');

export class WalSync {
  private handle: Promise<FileHandle> | null = null;

  /** `walPath` null: an in-memory database, nothing to sync. */
  constructor(
    private readonly walPath: string | null,
    private readonly openLog: OpenLog = openForSync,
  ) {}

  async sync(): Promise<void> {
    if (this.walPath === null) return;
    this.handle ??= this.openLog(this.walPath);
    try {
      await (await this.handle).datasync();
    } catch (error) {
      // A later commit opens the file afresh rather than retrying a descriptor that failed.
      const failed = this.handle;
      this.handle = null;
      await failed.then((handle) => handle.close()).catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle) await (await handle).close();
  }
}
