// A service's 90 days as the page's bar reads them from one attribute: compact, so a page of 100
// rows stays small, and drawn into focusable cells by ui/uptime-bars.js.
import type { DayUptime } from '../domain/index.js';
import { uptimeBasisPoints } from './uptime-text.js';

export interface BarData {
  /** The first day's date, `YYYY-MM-DD` (UTC). */
  readonly start: string;
  /**
   * One `uptime:transitions` entry per day, oldest first, comma-separated: uptime in basis points,
   * empty without probes; transitions empty when no longer kept.
   */
  readonly days: string;
}

export function encodeBar(days: readonly DayUptime[]): BarData {
  const first = days[0];
  return {
    start: first === undefined ? '' : new Date(first.dayStart).toISOString().slice(0, 10),
    days: days
      .map((day) => `${day.probes === 0 ? '' : uptimeBasisPoints(day.successes, day.probes)}:${day.transitions ?? ''}`)
      .join(','),
  };
}
