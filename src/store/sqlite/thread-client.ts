// Starts the storage thread (workers/storage-thread.ts) and matches its answers to the calls waiting for them. A call is one
// message out and one back; when the thread ends, however it ends, every call still waiting fails
// with ThreadStopped, and so does every later one: none is left hanging.
import { Worker } from 'node:worker_threads';
import {
  fromWire,
  type ReplyMessage,
  type RequestMessage,
  type StartMessage,
  type ThreadData,
} from './thread-protocol.js';

/** The compiled thread entry (dist/workers/storage-thread.js). */
export const THREAD_FILE = new URL('../../../workers/storage-thread.js', import.meta.url);

/**
 * The storage thread's young-generation cap, as for the probe thread. It takes ~50 probe batches a
 * second of ~40 KB each, and V8's default let its new space grow to 16 MB; at 8 MB its heap stayed at
 * 15–17 MB instead of 23, for no measurable CPU (in-process cycle of 10,000 services). At 4 MB more
 * survives into the old generation and the heap ends at 19 MB.
 */
const THREAD_YOUNG_GENERATION_MB = 8;

/** The storage thread ended before answering; `reason` says how. */
export class ThreadStopped extends Error {
  constructor(readonly reason: string) {
    super(`the storage thread stopped (${reason})`);
    this.name = 'ThreadStopped';
  }
}

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class ThreadClient {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private isStarted = false;
  private ending = false;
  private stopReason: string | null = null;
  /** Why the thread could not start, or the error that killed it: the stop reason says it. */
  private failure: string | null = null;
  /** Resolves once the thread has opened the database; rejects with the opening error (a DatabaseOpenError) or ThreadStopped. */
  readonly started: Promise<void>;
  /** Resolves once the thread has ended. */
  readonly ended: Promise<void>;

  constructor(data: ThreadData) {
    this.worker = new Worker(THREAD_FILE, {
      workerData: data,
      resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
    });
    let markStarted = (): void => undefined;
    let failStart = (_error: Error): void => undefined;
    this.started = new Promise<void>((resolve, reject) => {
      markStarted = resolve;
      failStart = reject;
    });
    // A respawned thread's start is awaited by no one: its calls fail instead, when it ends.
    this.started.catch(() => undefined);
    this.worker.on('message', (message: StartMessage | ReplyMessage) => {
      if ('ready' in message) {
        this.isStarted = true;
        if (this.waiting.size === 0 && !this.ending) this.worker.unref();
        markStarted();
      } else if ('openFailed' in message) {
        const error = fromWire(message.openFailed);
        this.failure = `it could not open the database: ${error.message}`;
        failStart(error);
      } else {
        this.answer(message);
      }
    });
    this.worker.on('error', (error) => {
      this.failure = `${error.name}: ${error.message}`;
    });
    this.ended = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.stopReason = this.failure ?? `its exit code was ${code}`;
        const stopped = new ThreadStopped(this.stopReason);
        failStart(stopped);
        const waiting = [...this.waiting.values()];
        this.waiting.clear();
        for (const call of waiting) call.reject(stopped);
        resolve();
      });
    });
  }

  /** Why the thread ended, once it has: every call then fails with ThreadStopped. `null` while it runs. */
  get stoppedBecause(): string | null {
    return this.stopReason;
  }

  /** Whether the thread opened the database (even if it has stopped since). */
  get opened(): boolean {
    return this.isStarted;
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  send(method: RequestMessage['method'], args: readonly unknown[]): Promise<unknown> {
    if (this.stopReason !== null) return Promise.reject(new ThreadStopped(this.stopReason));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage({ id, method, args });
      } catch (error) {
        // Arguments the structured clone refuses (a programming error): nothing was sent.
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.waiting.set(id, { resolve, reject });
      // The thread keeps the process alive only while someone waits for it (and while it starts).
      if (this.waiting.size === 1) this.worker.ref();
    });
  }

  /** Has the thread finish the calls already sent, close the database and end; resolves once it has ended. */
  async end(): Promise<void> {
    this.ending = true;
    this.worker.ref();
    try {
      await this.send('close', []);
    } catch (error) {
      // A thread that had already stopped is closed; its calls were answered with the reason.
      if (!(error instanceof ThreadStopped)) throw error;
    } finally {
      await this.ended;
    }
  }

  private answer(message: ReplyMessage): void {
    const call = this.waiting.get(message.id);
    if (call === undefined) return;
    this.waiting.delete(message.id);
    // Ending, it stays referenced until its exit has been seen, or the process could quit first.
    if (this.waiting.size === 0 && this.isStarted && !this.ending) this.worker.unref();
    if ('error' in message) call.reject(fromWire(message.error));
    else call.resolve(message.value);
  }
}
