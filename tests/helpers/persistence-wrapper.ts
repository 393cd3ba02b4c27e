// A real persistence with some calls intercepted: for tests that need a write to wait or fail.
import type { HourAggregate, MaintenanceWindow, RollupRange } from '../../src/domain/index.js';
import type {
  DailyRollupRows,
  Persistence,
  ProbeBatch,
  RegistryWrite,
  StoredEvent,
  StoredTransition,
} from '../../src/store/persistence.js';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';

export class PersistenceWrapper implements Persistence {
  constructor(protected readonly inner: Persistence = SqlitePersistence.open(':memory:')) {}
  load(hourStart: number) {
    return this.inner.load(hourStart);
  }
  writeRegistry(writes: readonly RegistryWrite[], events: readonly StoredEvent[]): Promise<void> {
    return this.inner.writeRegistry(writes, events);
  }
  eventsAfter(afterId: number, limit: number): Promise<StoredEvent[]> {
    return this.inner.eventsAfter(afterId, limit);
  }
  oldestEventId(): Promise<number | null> {
    return this.inner.oldestEventId();
  }
  saveProbeBatch(batch: ProbeBatch): Promise<void> {
    return this.inner.saveProbeBatch(batch);
  }
  checkWritable(): Promise<void> {
    return this.inner.checkWritable();
  }
  transitions(serviceId: string, page: { limit: number; beforeId: number | null }): Promise<StoredTransition[]> {
    return this.inner.transitions(serviceId, page);
  }
  hourlyAggregates(serviceId: string, sinceHourStart: number): Promise<HourAggregate[]> {
    return this.inner.hourlyAggregates(serviceId, sinceHourStart);
  }
  maintenanceWindows(): Promise<MaintenanceWindow[]> {
    return this.inner.maintenanceWindows();
  }
  writeMaintenance(scope: string, window: MaintenanceWindow | null): Promise<void> {
    return this.inner.writeMaintenance(scope, window);
  }
  dailyRollups(serviceIds: readonly string[], range: RollupRange): Promise<DailyRollupRows> {
    return this.inner.dailyRollups(serviceIds, range);
  }
  prune(cutoffs: { transitionsBefore: number; hoursBefore: number }, maxRows: number): Promise<number> {
    return this.inner.prune(cutoffs, maxRows);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The first registry write fails with `message`; the rest go through. */
export class FailingFirstRegistryWrite extends PersistenceWrapper {
  private failed = false;
  constructor(private readonly message: string) {
    super();
  }
  override async writeRegistry(...args: Parameters<PersistenceWrapper['writeRegistry']>): Promise<void> {
    if (!this.failed) {
      this.failed = true;
      throw new Error(this.message);
    }
    return super.writeRegistry(...args);
  }
}
