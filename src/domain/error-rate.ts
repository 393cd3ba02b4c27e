// Lifetime and windowed error rates from a service's own request and error counters.

export interface CounterSample {
  readonly requestCount: number;
  readonly errorCount: number;
  readonly uptimeSec: number | null;
}

/** The reference's figure: errors over requests since the service started; 0 without requests. */
export function lifetimeErrorRate(sample: CounterSample): number {
  return sample.requestCount === 0 ? 0 : sample.errorCount / sample.requestCount;
}

/** A counter going down means the service restarted (or reset its counters). */
export function isCounterReset(previous: CounterSample, current: CounterSample): boolean {
  return (
    current.requestCount < previous.requestCount ||
    current.errorCount < previous.errorCount ||
    (previous.uptimeSec !== null && current.uptimeSec !== null && current.uptimeSec < previous.uptimeSec)
  );
}

/**
 * Errors over requests between two successive samples. After a reset the current values are the
 * window. `null` when there is no previous sample or no request happened in the window.
 */
export function recentErrorRate(previous: CounterSample | null, current: CounterSample): number | null {
  if (previous === null) return null;
  const reset = isCounterReset(previous, current);
  const requests = reset ? current.requestCount : current.requestCount - previous.requestCount;
  const errors = reset ? current.errorCount : current.errorCount - previous.errorCount;
  if (requests === 0) return null;
  // Errors can be counted in a later window than their request; a rate above 1 means nothing.
  return Math.min(1, errors / requests);
}
