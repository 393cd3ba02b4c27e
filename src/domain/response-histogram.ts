// Response times in geometric buckets (~10% wide): small to store per hour, mergeable across hours, good for p95.

/** Bucket index → count; sparse, as JSON keys. */
export type ResponseHistogram = Readonly<Record<string, number>>;

const GROWTH = 1.1;
const LOG_GROWTH = Math.log(GROWTH);

export function bucketOf(ms: number): number {
  return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / LOG_GROWTH);
}

/** The largest response time a bucket holds, in whole milliseconds. */
export function bucketUpperMs(bucket: number): number {
  return Math.round(GROWTH ** bucket);
}

/** Counts `ms` in `histogram`, in place. */
export function countInHistogram(histogram: Record<string, number>, ms: number): void {
  const key = String(bucketOf(ms));
  histogram[key] = (histogram[key] ?? 0) + 1;
}

export function mergeHistograms(histograms: Iterable<ResponseHistogram>): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const histogram of histograms) {
    for (const [key, count] of Object.entries(histogram)) merged[key] = (merged[key] ?? 0) + count;
  }
  return merged;
}

/** The `q` quantile (0-1) as its bucket's upper bound: an over-estimate by at most 10%. `null` when empty. */
export function quantileMs(histogram: ResponseHistogram, q: number): number | null {
  const buckets = Object.entries(histogram)
    .map(([key, count]) => [Number(key), count] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const [bucket, count] of buckets) {
    seen += count;
    if (seen >= q * total) return bucketUpperMs(bucket);
  }
  return bucketUpperMs(buckets[buckets.length - 1]?.[0] ?? 0);
}
