// Uptime as people read it, the same on the badges and the status page.

/**
 * `successes / probes` as a percentage with at most 2 decimals, cut rather than rounded: one failed
 * probe in 100,000 reads 99.99%, never 100%. Integer arithmetic, so 99.95 stays 99.95. `probes` is at least 1.
 */
export function uptimePercentText(successes: number, probes: number): string {
  const basisPoints = uptimeBasisPoints(successes, probes);
  const whole = Math.floor(basisPoints / 100);
  const hundredths = basisPoints % 100;
  if (hundredths === 0) return `${whole}%`;
  return `${whole}.${String(hundredths).padStart(2, '0').replace(/0$/, '')}%`;
}

/** The same, or "no data" without probes. */
export function uptimeOrNoData(count: { readonly probes: number; readonly successes: number }): string {
  return count.probes === 0 ? 'no data' : uptimePercentText(count.successes, count.probes);
}

/** `successes / probes` in basis points (0–10000), cut: what the page's bar colours a day by. */
export function uptimeBasisPoints(successes: number, probes: number): number {
  return Math.floor((successes * 10_000) / probes);
}
