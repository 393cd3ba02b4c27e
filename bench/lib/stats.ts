// Summaries of samples: nearest-rank percentiles, as the monitor's own schedule-lag summary computes them.

/** The value at `fraction` (0..1) of the samples, nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? NaN;
}

export const median = (samples: readonly number[]): number => percentile(samples, 0.5);

export const MIB = 2 ** 20;
