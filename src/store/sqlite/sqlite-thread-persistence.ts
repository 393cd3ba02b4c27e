// Persistence on SQLite run in a thread of its own (docs/storage-thread.md): SqlitePersistence's
// statements, commits and JSON run there, so a probe batch's commit no longer stops the API thread.
// The store actor stays the only writer; it just talks to the thread, one message per call.
import type { HourAggregate, MaintenanceWindow, RollupRange } from '../../domain/index.js';
import {
  type DailyRollupRows,
  StorageError,
  type Persistence,
  type ProbeBatch,
  type RegistryWrite,
  type StoredEvent,
  type StoredService,
  type StoredTransition,
} from '../persistence.js';
import { DatabaseOpenError, IN_MEMORY } from './open-database.js';
import { ThreadClient, ThreadStopped } from './thread-client.js';
import { toColumns, type CallName, type TestHook, type ThreadCalls, type ThreadData } from './thread-protocol.js';

export interface SqliteThreadPersistenceOptions {
  /** For tests: lets `testHook` stop the thread at a chosen point. */
  readonly testHooks?: boolean;
}

/** Rows per message when loading: small enough that each page's objects die young in the thread. */
export const LOAD_PAGE_ROWS = 2000;

/** After a thread that could not open the database, the least time before the next is started. */
export const REOPEN_PAUSE_MS = 1000;

type Result<M extends CallName> = Awaited<ReturnType<ThreadCalls[M]>>;

// What crosses to the thread is only what it writes: a ServiceRecord's settings and schedule stay here.
const storedService = (service: StoredService): StoredService => ({
  request: service.request,
  generation: service.generation,
  registeredAt: service.registeredAt,
  state: service.state,
});

const storedWrite = (write: RegistryWrite): RegistryWrite =>
  write.kind === 'save'
    ? { kind: 'save', service: storedService(write.service), resetHistory: write.resetHistory }
    : write;

/** A stopped thread's calls fail as storage failures, saying what became of them. */
function asStorageError(error: unknown, consequence: string): unknown {
  return error instanceof ThreadStopped
    ? new StorageError(`${error.message} before answering; ${consequence}`, { cause: error })
    : error;
}

/** Every row, asked for a page of LOAD_PAGE_ROWS at a time, each page after the last key of the one before. */
async function allPages<T>(page: (afterKey: string) => Promise<T[]>, keyOf: (row: T) => string): Promise<T[]> {
  const rows: T[] = [];
  for (let after = ''; ;) {
    const next = await page(after);
    for (const row of next) rows.push(row);
    const last = next.at(-1);
    if (last === undefined || next.length < LOAD_PAGE_ROWS) return rows;
    after = keyOf(last);
  }
}

export class SqliteThreadPersistence implements Persistence {
  private closing: Promise<void> | null = null;
  private threadStartedAt = performance.now();

  private constructor(
    private readonly data: ThreadData,
    private thread: ThreadClient,
  ) {}

  /**
   * Starts the thread and opens the database in it. Rejects with a DatabaseOpenError, with
   * SqlitePersistence.open's message, when the database cannot be opened or used.
   */
  static async open(path: string, options: SqliteThreadPersistenceOptions = {}): Promise<SqliteThreadPersistence> {
    const data: ThreadData = { path, testHooks: options.testHooks ?? false };
    const thread = new ThreadClient(data);
    try {
      await thread.started;
    } catch (error) {
      if (error instanceof ThreadStopped) throw new DatabaseOpenError(`cannot open DB_PATH ${path}: ${error.message}`);
      throw error;
    }
    return new SqliteThreadPersistence(data, thread);
  }

  /** The current thread's id: a new one after a respawn. */
  get threadId(): number {
    return this.thread.threadId;
  }

  /**
   * The registry, asked for a page at a time: a whole registry as one message made the storage thread
   * build every row's objects and their copy at once, and it kept them (an idle thread is seldom
   * collected): 100,000 services cost it ~110 MB for good.
   */
  async load(
    hourStart: number,
  ): Promise<{ services: StoredService[]; openHours: HourAggregate[]; lastEventId: number }> {
    const services = await allPages(
      (after) => this.ask('servicesPage', [after, LOAD_PAGE_ROWS]),
      (service) => service.request.id,
    );
    const openHours = await allPages(
      (after) => this.ask('openHoursPage', [hourStart, after, LOAD_PAGE_ROWS]),
      (hour) => hour.serviceId,
    );
    return { services, openHours, lastEventId: await this.ask('lastEventId', []) };
  }

  async writeRegistry(writes: readonly RegistryWrite[], events: readonly StoredEvent[]): Promise<void> {
    await this.write('writeRegistry', [writes.map(storedWrite), events], events);
  }

  async saveProbeBatch(batch: ProbeBatch): Promise<void> {
    await this.write('saveProbeBatch', [toColumns(batch)], batch.events);
  }

  checkWritable(): Promise<void> {
    return this.ask('checkWritable', []);
  }

  transitions(serviceId: string, page: { limit: number; beforeId: number | null }): Promise<StoredTransition[]> {
    return this.ask('transitions', [serviceId, page]);
  }

  hourlyAggregates(serviceId: string, sinceHourStart: number): Promise<HourAggregate[]> {
    return this.ask('hourlyAggregates', [serviceId, sinceHourStart]);
  }

  maintenanceWindows(): Promise<MaintenanceWindow[]> {
    return this.ask('maintenanceWindows', []);
  }

  writeMaintenance(scope: string, window: MaintenanceWindow | null): Promise<void> {
    return this.ask('writeMaintenance', [scope, window]);
  }

  dailyRollups(serviceIds: readonly string[], range: RollupRange): Promise<DailyRollupRows> {
    return this.ask('dailyRollups', [serviceIds, range]);
  }

  eventsAfter(afterId: number, limit: number): Promise<StoredEvent[]> {
    return this.ask('eventsAfter', [afterId, limit]);
  }

  oldestEventId(): Promise<number | null> {
    return this.ask('oldestEventId', []);
  }

  prune(cutoffs: { transitionsBefore: number; hoursBefore: number }, maxRows: number): Promise<number> {
    return this.ask('prune', [cutoffs, maxRows], 'expired rows may or may not have been deleted');
  }

  /** Lets the calls already made finish, closes the database and ends the thread; later calls are refused. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /** Only with `testHooks`: stops the thread now or at its next write (TestHook). */
  async testHook(hook: TestHook): Promise<void> {
    try {
      await this.live().send('testHook', [hook]);
    } catch (error) {
      throw asStorageError(error, 'nothing was changed');
    }
  }

  private async shutDown(): Promise<void> {
    await this.thread.end();
  }

  /**
   * The running thread; a stopped one is replaced by a new one on the same file at the next call.
   * After a thread that could not open the database, the next is started no sooner than
   * REOPEN_PAUSE_MS: calls in between (reads of a busy API among them) fail at once instead of each
   * starting a thread.
   */
  private live(): ThreadClient {
    if (this.closing !== null) throw new StorageError('the storage is closed; nothing was changed');
    const stopped = this.thread.stoppedBecause;
    if (stopped === null) return this.thread;
    if (this.data.path === IN_MEMORY) {
      throw new StorageError(
        `the storage thread stopped (${stopped}), and its in-memory database went with it; nothing was changed`,
      );
    }
    if (!this.thread.opened && performance.now() - this.threadStartedAt < REOPEN_PAUSE_MS) {
      throw new StorageError(
        `the storage thread stopped (${stopped}); it is started again at most every ${REOPEN_PAUSE_MS} ms; nothing was changed`,
      );
    }
    this.thread = new ThreadClient(this.data);
    this.threadStartedAt = performance.now();
    return this.thread;
  }

  private call<M extends CallName>(method: M, args: Parameters<ThreadCalls[M]>): Promise<Result<M>> {
    return this.live().send(method, args) as Promise<Result<M>>;
  }

  /** A call that changes nothing, or nothing that matters when done twice. */
  private async ask<M extends CallName>(
    method: M,
    args: Parameters<ThreadCalls[M]>,
    consequence = 'nothing was changed',
  ): Promise<Result<M>> {
    try {
      return await this.call(method, args);
    } catch (error) {
      throw asStorageError(error, consequence);
    }
  }

  /**
   * A write carrying log entries whose thread stopped before answering is settled by the next
   * thread: committed (its first entry is stored) it is made durable and succeeds, otherwise it is
   * refused as never applied. Either way the store's event ids stay true to the database, which a
   * refusal of a write that had in fact committed would break (its ids would be handed out again).
   */
  private async write(
    method: 'writeRegistry' | 'saveProbeBatch',
    args: Parameters<ThreadCalls[typeof method]>,
    events: readonly StoredEvent[],
  ): Promise<void> {
    let stopped: ThreadStopped;
    try {
      await this.call(method, args);
      return;
    } catch (error) {
      if (!(error instanceof ThreadStopped)) throw error;
      stopped = error;
    }
    const first = events[0];
    // Without log entries (a probe batch without transitions) a write is states and aggregates that
    // replace the stored ones: the store keeps them and writes them again, whether or not this one got through.
    if (first === undefined) throw asStorageError(stopped, 'the change may or may not have been stored');
    let stored: boolean;
    try {
      stored = await this.call('hasDurableEvent', [first.id]);
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw new StorageError(
        `${stopped.message} before answering, and whether the change was stored is unknown (${error instanceof Error ? error.message : String(error)})`,
        {
          cause: error,
        },
      );
    }
    if (!stored)
      throw new StorageError(`${stopped.message} before committing the change; nothing was changed`, {
        cause: stopped,
      });
  }
}
