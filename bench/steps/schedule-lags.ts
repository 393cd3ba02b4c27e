// Each probe's lag from the farm's arrival times: the gap since the previous probe of the same service,
// less the interval, since a service is due one interval after its previous probe started.

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
