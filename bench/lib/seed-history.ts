// Writes history into a stopped monitor's real SQLite file, as months of probing would have left it:
// hourly aggregates, transitions, and a service's stored state. The pages (and their tests) read it back.
import Database from 'better-sqlite3';
import { bucketOf, HOUR_MS, hourStartOf } from '../../src/domain/index.js';

export interface SeededHour {
  readonly hoursAgo: number;
  readonly probes: number;
  readonly successes: number;
  /** Every probe of the hour took this long. */
  readonly responseMs: number;
}

export interface SeededTransition {
  readonly at: number;
  readonly from: { health: string; ready: boolean };
  readonly to: { health: string; ready: boolean };
  readonly reason: string;
}

export function seedHistory(
  dbPath: string,
  serviceId: string,
  seed: {
    hours?: readonly SeededHour[];
    transitions?: readonly SeededTransition[];
    /** Merged into the stored state's JSON. */
    state?: Readonly<Record<string, unknown>>;
  },
  now = Date.now(),
): void {
  const db = new Database(dbPath);
  try {
    db.transaction(() => {
      const hour = db.prepare(
        `INSERT OR REPLACE INTO probe_hours (service_id, hour_start, probes, successes, total_response_ms, histogram)
         VALUES (?, ?, ?, ?, ?, ?)`,
      );
      for (const h of seed.hours ?? []) {
        const histogram = JSON.stringify({ [String(bucketOf(h.responseMs))]: h.probes });
        hour.run(
          serviceId,
          hourStartOf(now) - h.hoursAgo * HOUR_MS,
          h.probes,
          h.successes,
          h.responseMs * h.probes,
          histogram,
        );
      }
      const transition = db.prepare(
        `INSERT INTO transitions (service_id, from_health, from_ready, to_health, to_ready, reason, at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const t of seed.transitions ?? []) {
        transition.run(serviceId, t.from.health, t.from.ready ? 1 : 0, t.to.health, t.to.ready ? 1 : 0, t.reason, t.at);
      }
      if (seed.state !== undefined) {
        const row = db.prepare('SELECT state FROM services WHERE id = ?').get(serviceId) as
          { state: string } | undefined;
        if (row === undefined) throw new Error(`no stored service "${serviceId}" to seed`);
        const state = { ...(JSON.parse(row.state) as Record<string, unknown>), ...seed.state };
        db.prepare('UPDATE services SET state = ? WHERE id = ?').run(JSON.stringify(state), serviceId);
      }
    })();
  } finally {
    db.close();
  }
}
