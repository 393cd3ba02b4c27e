// Each probe's lag, from when the farm saw the probes arrive. A service's next probe is due one interval
// after its previous probe started (docs/decisions.md, "Scheduling"), so the lag of a probe is the gap
// since the previous probe of the same service, less the interval. A probe that joined its cycle a
// little early has no lag (0), not a negative one. The farm sees a probe a fraction of a millisecond
// after it started, about the same fraction every time, so the gap between two arrivals is the gap
// between two starts.

/** Lags in ms, one per probe that followed an earlier probe of its service within `arrivals`. */
export function lagsFromArrivals(arrivals: readonly (readonly [string, number])[], intervalMs: number): number[] {
  const previous = new Map<string, number>();
  const lags: number[] = [];
  for (const [path, at] of [...arrivals].sort((a, b) => a[1] - b[1])) {
    const before = previous.get(path);
    if (before !== undefined) lags.push(Math.max(0, at - before - intervalMs));
    previous.set(path, at);
  }
  return lags;
}
