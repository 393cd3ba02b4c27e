// The daily rollup queries, one text for both engines: they differ only in how a parameter is
// written and how a list of ids is matched.
import { ROW_WINDOWS, type DayRow, type DayTransitionCount, type RollupRange } from '../domain/index.js';
import { DAY_MS } from '../domain/index.js';
import type { DailyRollupRows } from './persistence.js';

export interface RollupDialect {
  /** The n-th parameter (1-based): `@p1` or `$1`. */
  readonly param: (n: number) => string;
  /** `service_id` is one of the ids in the first parameter. */
  readonly idIn: string;
}

/** Parameters: 1 the ids, 2 the first day, 3… each window's first hour. */
export function daysSql({ param, idIn }: RollupDialect): string {
  const windowSums = ROW_WINDOWS.map((_, w) => {
    const since = param(3 + w);
    return (
      `SUM(CASE WHEN hour_start >= ${since} THEN probes ELSE 0 END) AS p${w}, ` +
      `SUM(CASE WHEN hour_start >= ${since} THEN successes ELSE 0 END) AS s${w}`
    );
  });
  return `SELECT service_id, (hour_start / ${DAY_MS}) * ${DAY_MS} AS day_start,
      SUM(probes) AS probes, SUM(successes) AS successes, ${windowSums.join(', ')}
    FROM probe_hours WHERE ${idIn} AND hour_start >= ${param(2)} GROUP BY service_id, day_start`;
}

/** Parameters: 1 the ids, 2 the first day. */
export function transitionsSql({ param, idIn }: RollupDialect): string {
  return `SELECT service_id, (at / ${DAY_MS}) * ${DAY_MS} AS day_start, COUNT(*) AS count
    FROM transitions WHERE ${idIn} AND at >= ${param(2)} GROUP BY service_id, day_start`;
}

export function rollupParams<Ids>(ids: Ids, range: RollupRange): [Ids, number, ...number[]] {
  return [ids, range.sinceDayStart, ...range.windowStarts];
}

export type DayRowColumns = { service_id: string; day_start: number; probes: number; successes: number } & Record<
  `p${number}` | `s${number}`,
  number
>;

export interface TransitionCountColumns {
  service_id: string;
  day_start: number;
  count: number;
}

export function toRollupRows(
  days: readonly DayRowColumns[],
  transitions: readonly TransitionCountColumns[],
): DailyRollupRows {
  return {
    days: days.map((row): DayRow => ({
      serviceId: row.service_id,
      dayStart: Number(row.day_start),
      probes: Number(row.probes),
      successes: Number(row.successes),
      windowProbes: ROW_WINDOWS.map((_, w) => Number(row[`p${w}`] ?? 0)),
      windowSuccesses: ROW_WINDOWS.map((_, w) => Number(row[`s${w}`] ?? 0)),
    })),
    transitions: transitions.map((row): DayTransitionCount => ({
      serviceId: row.service_id,
      dayStart: Number(row.day_start),
      count: Number(row.count),
    })),
  };
}
