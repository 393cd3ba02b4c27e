// The store actor's services, keyed by id. Only the actor holds it; readers get frozen views.
import type { ServiceRecord } from './service-record.js';
import type { ServiceEntry } from './service-entry.js';

export class Registry {
  private readonly entries = new Map<string, ServiceEntry>();
  private sortedIds: readonly string[] | null = null;

  get size(): number {
    return this.entries.size;
  }

  get(serviceId: string): ServiceEntry | undefined {
    return this.entries.get(serviceId);
  }

  values(): IterableIterator<ServiceEntry> {
    return this.entries.values();
  }

  /** Adds a service or replaces its registration. */
  put(entry: ServiceEntry): void {
    if (!this.entries.has(entry.id)) this.sortedIds = null;
    this.entries.set(entry.id, entry);
  }

  delete(serviceId: string): void {
    if (this.entries.delete(serviceId)) this.sortedIds = null;
  }

  /** Every service's frozen view, sorted by id. */
  views(): readonly ServiceRecord[] {
    this.sortedIds ??= Object.freeze([...this.entries.keys()].sort());
    const views: ServiceRecord[] = [];
    for (const id of this.sortedIds) {
      const entry = this.entries.get(id);
      if (entry) views.push(entry.frozen());
    }
    return Object.freeze(views);
  }
}
