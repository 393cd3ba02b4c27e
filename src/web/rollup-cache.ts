// The pages' uptime figures and bars, kept for a minute per service: a live page refreshes on every
// transition, and rolling 90 days of hours up again for each refresh would keep the storage thread busy.
import type { ServiceRollup } from '../domain/index.js';

export const ROLLUP_TTL_MS = 60_000;

type Load = (serviceIds: readonly string[]) => Promise<Map<string, ServiceRollup>>;

export class RollupCache {
  private readonly entries = new Map<string, { readonly rollup: ServiceRollup; readonly until: number }>();

  constructor(
    private readonly load: Load,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = ROLLUP_TTL_MS,
  ) {}

  /** Each service's rollup, loading in one call only those not held or held too long. */
  async get(serviceIds: readonly string[]): Promise<Map<string, ServiceRollup>> {
    const now = this.now();
    const result = new Map<string, ServiceRollup>();
    const missing: string[] = [];
    for (const id of serviceIds) {
      const entry = this.entries.get(id);
      if (entry !== undefined && entry.until > now) result.set(id, entry.rollup);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const loaded = await this.load(missing);
      for (const [id, rollup] of loaded) {
        this.entries.set(id, { rollup, until: now + this.ttlMs });
        result.set(id, rollup);
      }
    }
    this.evictExpired(now);
    return result;
  }

  /** Forgets a service whose history was dropped or replaced. */
  forget(serviceId: string): void {
    this.entries.delete(serviceId);
  }

  private evictExpired(now: number): void {
    if (this.entries.size < 20_000) return;
    for (const [id, entry] of this.entries) if (entry.until <= now) this.entries.delete(id);
  }
}
