// Which targets count as slow when probe slots are handed out: they may never take the last free one.

/**
 * A target whose last probe took more than half its timeout: it hung, was black-holed, or is merely
 * slow. Its next probe is likely to hold a slot as long again, so it waits rather than take the slot
 * a service that answers at once would need. A target never probed is not slow until it shows it.
 */
export function isSlowTarget(lastResponseMs: number | null, timeoutMs: number): boolean {
  return lastResponseMs !== null && lastResponseMs > timeoutMs / 2;
}
