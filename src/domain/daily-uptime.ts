// Daily uptime for the status page's 90-day bar and its 24 h / 7 d / 30 d figures, rolled up from the
// stored hourly aggregates (and the transitions still kept) in one query per page of services.
import { HOUR_MS, hourStartOf, UPTIME_WINDOWS } from './hour-aggregate.js';

export const DAY_MS = 24 * HOUR_MS;
/** The bar's length: today and the 89 UTC days before it. */
export const BAR_DAYS = 90;
/** The windows a status row shows, in this order: the same whole hours as GET /services/:id/uptime. */
export const ROW_WINDOWS = ['24h', '7d', '30d'] as const;
export type RowWindow = (typeof ROW_WINDOWS)[number];

/** What storage rolls up for one service and one UTC day. */
export interface DayRow {
  readonly serviceId: string;
  readonly dayStart: number;
  readonly probes: number;
  readonly successes: number;
  /** Per ROW_WINDOWS entry: the probes and successes of this day's hours inside that window. */
  readonly windowProbes: readonly number[];
  readonly windowSuccesses: readonly number[];
}

export interface DayTransitionCount {
  readonly serviceId: string;
  readonly dayStart: number;
  readonly count: number;
}

/** What the rollup query needs: where the bar starts and where each window starts. */
export interface RollupRange {
  readonly sinceDayStart: number;
  /** One hour start per ROW_WINDOWS entry. */
  readonly windowStarts: readonly number[];
}

export interface DayUptime {
  readonly dayStart: number;
  readonly probes: number;
  readonly successes: number;
  /** `null` when the day is older than the transitions kept (HISTORY_RETENTION_DAYS). */
  readonly transitions: number | null;
}

export interface WindowCount {
  readonly probes: number;
  readonly successes: number;
}

export interface ServiceRollup {
  /** BAR_DAYS entries, oldest first; a day without probes has `probes: 0`. */
  readonly days: readonly DayUptime[];
  readonly windows: Readonly<Record<RowWindow, WindowCount>>;
}

export function dayStartOf(at: number): number {
  return Math.floor(at / DAY_MS) * DAY_MS;
}

export function rollupRange(now: number): RollupRange {
  return {
    sinceDayStart: dayStartOf(now) - (BAR_DAYS - 1) * DAY_MS,
    windowStarts: ROW_WINDOWS.map((name) => hourStartOf(now) - (UPTIME_WINDOWS[name] - 1) * HOUR_MS),
  };
}

/**
 * Each service's bar and windows from the rows storage returned. Transition counts are kept only for
 * days that start after `transitionsKeptSince`: an older day's transitions may be partly pruned.
 */
export function rollUp(
  serviceIds: readonly string[],
  rows: readonly DayRow[],
  transitionCounts: readonly DayTransitionCount[],
  range: RollupRange,
  transitionsKeptSince: number,
): Map<string, ServiceRollup> {
  const key = (serviceId: string, dayStart: number): string => `${dayStart} ${serviceId}`;
  const byDay = new Map(rows.map((row) => [key(row.serviceId, row.dayStart), row]));
  const counts = new Map(transitionCounts.map((entry) => [key(entry.serviceId, entry.dayStart), entry.count]));
  const result = new Map<string, ServiceRollup>();
  for (const serviceId of serviceIds) {
    const windows = ROW_WINDOWS.map(() => ({ probes: 0, successes: 0 }));
    const days: DayUptime[] = [];
    for (let index = 0; index < BAR_DAYS; index++) {
      const dayStart = range.sinceDayStart + index * DAY_MS;
      const row = byDay.get(key(serviceId, dayStart));
      days.push({
        dayStart,
        probes: row?.probes ?? 0,
        successes: row?.successes ?? 0,
        transitions: dayStart < transitionsKeptSince ? null : (counts.get(key(serviceId, dayStart)) ?? 0),
      });
      windows.forEach((window, w) => {
        window.probes += row?.windowProbes[w] ?? 0;
        window.successes += row?.windowSuccesses[w] ?? 0;
      });
    }
    const [day, week, month] = windows as [WindowCount, WindowCount, WindowCount];
    result.set(serviceId, { days, windows: { '24h': day, '7d': week, '30d': month } });
  }
  return result;
}
