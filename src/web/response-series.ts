// The service page's chart: p50 and p95 response times from the stored hourly aggregates, in buckets
// as wide as the range needs to stay readable (an hour up to 7 days, 6 hours for 30, a day for 90).
import { HOUR_MS, hourStartOf, mergeHistograms, quantileMs, type HourAggregate } from '../domain/index.js';

export const CHART_RANGES = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30, '90d': 24 * 90 } as const;
export type ChartRange = keyof typeof CHART_RANGES;
export const DEFAULT_CHART_RANGE: ChartRange = '7d';

const BUCKET_HOURS: Readonly<Record<ChartRange, number>> = { '24h': 1, '7d': 1, '30d': 6, '90d': 24 };

/** uPlot's columns: bucket starts in epoch seconds, and each quantile in ms (`null`: no probes then). */
export interface ResponseSeries {
  readonly t: number[];
  readonly p50: (number | null)[];
  readonly p95: (number | null)[];
}

export function isChartRange(value: string): value is ChartRange {
  return Object.hasOwn(CHART_RANGES, value);
}

/** The first hour a range covers: the current hour and the whole hours before it. */
export function rangeStart(range: ChartRange, now: number): number {
  return hourStartOf(now) - (CHART_RANGES[range] - 1) * HOUR_MS;
}

export function responseSeries(hours: readonly HourAggregate[], range: ChartRange, now: number): ResponseSeries {
  const first = rangeStart(range, now);
  const width = BUCKET_HOURS[range] * HOUR_MS;
  const count = Math.ceil(CHART_RANGES[range] / BUCKET_HOURS[range]);
  const buckets: HourAggregate[][] = Array.from({ length: count }, () => []);
  for (const hour of hours) {
    const index = Math.floor((hour.hourStart - first) / width);
    if (index >= 0 && index < count) buckets[index]?.push(hour);
  }
  const series: ResponseSeries = { t: [], p50: [], p95: [] };
  buckets.forEach((members, index) => {
    const histogram = mergeHistograms(members.map((hour) => hour.histogram));
    series.t.push((first + index * width) / 1000);
    series.p50.push(quantileMs(histogram, 0.5));
    series.p95.push(quantileMs(histogram, 0.95));
  });
  return series;
}
