// Cluster mode: what other replicas committed, applied to this replica's registry so that it answers
// reads for every service and probes the ones its shards hold.
import {
  copyState,
  resolveSettings,
  restoredScheduledAt,
  type HourAggregate,
  type ProbeDefaults,
} from '../domain/index.js';
import type { DueTracker } from './due-tracker.js';
import type { StoredService } from './persistence.js';
import type { Emit } from './registry-writes.js';
import type { Registry } from './registry.js';
import { ServiceEntry } from './service-entry.js';

export interface RemoteChangesOptions {
  readonly registry: Registry;
  readonly due: DueTracker;
  readonly defaults: ProbeDefaults;
  readonly now: () => number;
  readonly emit: Emit;
  /** Whether this replica probes (and so writes the state of) the service. */
  readonly owns: (serviceId: string) => boolean;
  /** A generation seen elsewhere: this replica's next registrations use higher ones. */
  readonly sawGeneration: (generation: number) => void;
}

export class RemoteChanges {
  constructor(private readonly options: RemoteChangesOptions) {}

  /**
   * Rows that changed in the database. A service this replica owns keeps the state it holds (it wrote
   * the row); any other takes the row's. A new generation is a registration made elsewhere.
   */
  apply(rows: readonly StoredService[], gone: readonly { serviceId: string; reason: string }[]): void {
    const { registry, owns, emit } = this.options;
    for (const row of rows) {
      const existing = registry.get(row.request.id);
      if (existing !== undefined && existing.generation === row.generation) {
        if (owns(existing.id)) continue;
        Object.assign(existing.state, copyState(row.state));
        existing.changed();
        continue;
      }
      const keepsHour = existing !== undefined && existing.request.url === row.request.url;
      // A registration is due at once, wherever it was made.
      const entry = this.entryOf(row, null, keepsHour ? existing.openHour : null);
      registry.put(entry);
      this.options.due.wait(entry);
      this.options.sawGeneration(row.generation);
      emit('registered', { service: entry.frozen(), created: existing === undefined, remote: true });
    }
    for (const { serviceId, reason } of gone) {
      if (registry.get(serviceId) === undefined) continue;
      registry.delete(serviceId);
      emit('deregistered', { serviceId, cause: 'deleted', reason, at: this.options.now(), remote: true });
    }
  }

  /**
   * Shards this replica just took over: their services' state, schedule and open hour come from the
   * database, as the previous owner left them, so nothing is probed twice in one interval.
   */
  adopt(rows: readonly StoredService[], openHours: readonly HourAggregate[]): void {
    const { registry, due } = this.options;
    const hourOf = new Map(openHours.map((hour) => [hour.serviceId, hour]));
    for (const row of rows) {
      const stored = hourOf.get(row.request.id);
      const openHour = stored === undefined ? null : { ...stored, histogram: { ...stored.histogram } };
      const existing = registry.get(row.request.id);
      if (existing !== undefined && existing.generation === row.generation) {
        // Probed here since the row was read: what this replica holds is newer.
        const newerHere = (existing.state.lastCheckedAt ?? -1) > (row.state.lastCheckedAt ?? -1);
        if (!newerHere) {
          Object.assign(existing.state, copyState(row.state));
          existing.openHour = openHour;
          existing.lastScheduledAt = this.scheduledAt(row);
          existing.changed();
        }
        due.wait(existing);
        continue;
      }
      const entry = this.entryOf(row, this.scheduledAt(row), openHour);
      registry.put(entry);
      due.wait(entry);
      this.options.sawGeneration(row.generation);
      this.options.emit('registered', { service: entry.frozen(), created: existing === undefined, remote: true });
    }
    if (rows.length > 0) this.options.emit('adopted', { services: rows.length });
  }

  private entryOf(
    row: StoredService,
    lastScheduledAt: number | null,
    openHour: ServiceEntry['openHour'],
  ): ServiceEntry {
    const settings = resolveSettings(row.request, this.options.defaults);
    return new ServiceEntry(
      row.request,
      settings,
      row.generation,
      row.registeredAt,
      row.state,
      lastScheduledAt,
      openHour,
    );
  }

  private scheduledAt(row: StoredService): number {
    const intervalMs = resolveSettings(row.request, this.options.defaults).intervalMs;
    return restoredScheduledAt(row.request.id, intervalMs, row.state, this.options.now());
  }
}
