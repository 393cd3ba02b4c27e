// Hourly probe aggregates per service: what uptime over a day, a week, a month and a year is computed from.
import { countInHistogram, mergeHistograms, quantileMs, type ResponseHistogram } from './response-histogram.js';

export const HOUR_MS = 3_600_000;

export interface HourAggregate {
  readonly serviceId: string;
  /** Epoch ms at the start of the hour. */
  readonly hourStart: number;
  readonly probes: number;
  /** Probes that found the service ready (it answered 200). */
  readonly successes: number;
  readonly totalResponseMs: number;
  readonly histogram: ResponseHistogram;
}

export function hourStartOf(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

/** An hourly aggregate as its owner (the store actor) updates it in place. */
export interface OpenHourAggregate {
  readonly serviceId: string;
  readonly hourStart: number;
  probes: number;
  successes: number;
  totalResponseMs: number;
  readonly histogram: Record<string, number>;
}

export function emptyHour(serviceId: string, hourStart: number): OpenHourAggregate {
  return { serviceId, hourStart, probes: 0, successes: 0, totalResponseMs: 0, histogram: {} };
}

/** Adds one probe to `hour` in place; the caller makes sure the probe finished within that hour. */
export function addProbe(hour: OpenHourAggregate, responseMs: number, ready: boolean): void {
  hour.probes += 1;
  if (ready) hour.successes += 1;
  hour.totalResponseMs += responseMs;
  countInHistogram(hour.histogram, responseMs);
}

/** Adds one probe to the service's aggregate for the hour it finished in, on a copy, starting a new hour when needed. */
export function accumulate(
  current: HourAggregate | undefined,
  serviceId: string,
  at: number,
  responseMs: number,
  ready: boolean,
): HourAggregate {
  const hourStart = hourStartOf(at);
  const hour =
    current && current.hourStart === hourStart
      ? { ...current, histogram: { ...current.histogram } }
      : emptyHour(serviceId, hourStart);
  addProbe(hour, responseMs, ready);
  return hour;
}

export interface UptimeSummary {
  readonly probes: number;
  readonly successes: number;
  /** `null` without probes in the window. */
  readonly uptime_percent: number | null;
  readonly mean_response_ms: number | null;
  readonly p95_response_ms: number | null;
}

export function summarise(hours: readonly HourAggregate[]): UptimeSummary {
  const probes = hours.reduce((sum, hour) => sum + hour.probes, 0);
  const successes = hours.reduce((sum, hour) => sum + hour.successes, 0);
  const totalMs = hours.reduce((sum, hour) => sum + hour.totalResponseMs, 0);
  return {
    probes,
    successes,
    uptime_percent: probes === 0 ? null : Math.round((successes / probes) * 100_000) / 1000,
    mean_response_ms: probes === 0 ? null : Math.round((totalMs / probes) * 10) / 10,
    p95_response_ms: quantileMs(mergeHistograms(hours.map((hour) => hour.histogram)), 0.95),
  };
}

export const UPTIME_WINDOWS = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30, '1y': 24 * 365 } as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;

/** One summary per window, from the hours that end after `now` minus the window. */
export function uptimeWindows(hours: readonly HourAggregate[], now: number): Record<UptimeWindow, UptimeSummary> {
  const entries = Object.entries(UPTIME_WINDOWS).map(([name, hoursBack]) => {
    const since = hourStartOf(now) - (hoursBack - 1) * HOUR_MS;
    return [name, summarise(hours.filter((hour) => hour.hourStart >= since))];
  });
  return Object.fromEntries(entries) as Record<UptimeWindow, UptimeSummary>;
}
