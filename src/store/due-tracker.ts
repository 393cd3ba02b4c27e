// Which services have a probe in flight, and the earliest time one of the others falls due.
import { joinEarlyMs } from '../domain/index.js';
import type { ServiceEntry } from './service-entry.js';

export class DueTracker {
  /** Services whose probe is out, with when their cycle took them; kept across re-registration and removal until the result is back. */
  private readonly inFlightSince = new Map<string, number>();
  /** The earliest due time among services with no probe in flight; `stale` after a registry change. */
  private earliest: { readonly stale: true } | { readonly stale: false; readonly at: number | null } = { stale: true };

  /** Every service due at `now` with no probe in flight, marked as in flight. */
  take(entries: Iterable<ServiceEntry>, now: number): ServiceEntry[] {
    const due: ServiceEntry[] = [];
    let earliest: number | null = null;
    for (const entry of entries) {
      if (this.inFlightSince.has(entry.id)) continue;
      const at = entry.dueAt;
      if (at > now + joinEarlyMs(entry.settings.intervalMs)) {
        if (earliest === null || at < earliest) earliest = at;
        continue;
      }
      this.inFlightSince.set(entry.id, now);
      due.push(entry);
    }
    this.earliest = { stale: false, at: earliest };
    return due;
  }

  /** The service's probe is back: it may be taken again. Returns when its cycle took it. */
  returned(serviceId: string): number | undefined {
    const since = this.inFlightSince.get(serviceId);
    this.inFlightSince.delete(serviceId);
    return since;
  }

  /** A service is free to be probed from `at`: the earliest due time moves if it is sooner. */
  freeFrom(at: number): void {
    if (this.earliest.stale) return;
    if (this.earliest.at === null || at < this.earliest.at) this.earliest = { stale: false, at };
  }

  /** The registry changed: the next question scans it again. */
  registryChanged(): void {
    this.earliest = { stale: true };
  }

  /** The earliest time a service with no probe in flight falls due, `null` when there is none. */
  nextDueAt(entries: Iterable<ServiceEntry>): number | null {
    if (this.earliest.stale) {
      let earliest: number | null = null;
      for (const entry of entries) {
        if (this.inFlightSince.has(entry.id)) continue;
        const at = entry.dueAt;
        if (earliest === null || at < earliest) earliest = at;
      }
      this.earliest = { stale: false, at: earliest };
    }
    return this.earliest.at;
  }
}
