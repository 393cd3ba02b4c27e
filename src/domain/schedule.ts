// When a service is next due for a probe: the scheduler's rule, with time passed in.

export interface Schedulable {
  readonly intervalMs: number;
  /** Epoch ms when the service was last put into a cycle, `null` if never. */
  readonly lastScheduledAt: number | null;
}

export function dueAt(service: Schedulable): number {
  return nextDueTime(service.intervalMs, service.lastScheduledAt);
}

/** `dueAt` without an object to build: the scheduler runs it over every service, every cycle. */
export function nextDueTime(intervalMs: number, lastScheduledAt: number | null): number {
  return lastScheduledAt === null ? -Infinity : lastScheduledAt + intervalMs;
}

/** Longer after its cycle began than any probe can wait for a lane: a clock that jumped. */
const CLOCK_JUMP_MS = 86_400_000;

/**
 * Where a service's next interval counts from, once its probe is back: when the probe really started,
 * not when its cycle did (DESIGN: due "when its own interval has passed since its last poll"). A burst
 * of registrations is due at once; probed one after another, each then falls due one interval after
 * its own probe, so later cycles take them spread out instead of as the same burst again. A probe that
 * never reached its target (a monitor error), and a start before its cycle or a day after it (a clock
 * that jumped, an injected clock), say nothing about when the service was polled: the cycle's start
 * stays the anchor. A start long after its cycle's start is real when the monitor is behind, and counts.
 */
export function intervalAnchor(scheduledAt: number | null, startedAt: number, reachedTarget: boolean): number | null {
  if (scheduledAt === null || !reachedTarget) return scheduledAt;
  if (startedAt < scheduledAt || startedAt - scheduledAt > CLOCK_JUMP_MS) return scheduledAt;
  return startedAt;
}

/** The most a service may be probed ahead of its due time, and as a share of its interval. */
export const JOIN_EARLY_MAX_MS = 25;
export const JOIN_EARLY_FRACTION = 0.02;

/**
 * How long before its due time a service joins a cycle that is starting anyway. Since each interval
 * counts from the service's own probe, services probed side by side fall due a few milliseconds apart;
 * without this they would split into separate cycles, and as cycles never overlap, one of them could
 * wait for the other's whole cycle (a hanging target: timeout × attempts). Joining a little early keeps
 * them together. At most 2% of the interval, so a service is never probed noticeably early.
 */
export function joinEarlyMs(intervalMs: number): number {
  return Math.min(JOIN_EARLY_MAX_MS, intervalMs * JOIN_EARLY_FRACTION);
}

export function isDue(service: Schedulable, now: number): boolean {
  return dueAt(service) <= now;
}

/** The earliest time any of the services falls due, `null` when there are none. */
export function earliestDueAt(services: Iterable<Schedulable>): number | null {
  let earliest: number | null = null;
  for (const service of services) {
    const at = dueAt(service);
    if (earliest === null || at < earliest) earliest = at;
  }
  return earliest;
}

/** After a restart, overdue and never-probed services are spread over at most this long. */
export const RESTART_SPREAD_MS = 500;

/** What the stored state says of the last probe: when it finished and how long it took. */
export interface LastProbe {
  /** Epoch ms when the last probe finished, `null` before the first. */
  readonly lastCheckedAt: number | null;
  /** Its duration from its first attempt's start, retries included. */
  readonly lastResponseMs: number | null;
}

/** When the last probe began, `null` if there was none: the running monitor counts the interval from there. */
export function lastProbeStartedAt(last: LastProbe): number | null {
  if (last.lastCheckedAt === null) return null;
  return last.lastCheckedAt - (last.lastResponseMs ?? 0);
}

/** A fixed offset in [0, windowMs) from the id: the same service lands at the same point every time. */
function idOffset(serviceId: string, windowMs: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < serviceId.length; i++) {
    hash = Math.imul(hash ^ serviceId.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash % Math.max(1, Math.floor(windowMs));
}

/**
 * After a restart, when a service is next due: one interval after its last probe began, as if the
 * monitor had kept running, so a restart never postpones a probe. One that is overdue, or was never
 * probed, is due within min(interval, RESTART_SPREAD_MS) of `now`, at an offset fixed by its id, so
 * the first cycle is not a stampede. A last probe in the future (the clock went back) waits at most
 * one interval from `now`.
 */
export function restoredDueAt(
  serviceId: string,
  intervalMs: number,
  lastStartedAt: number | null,
  now: number,
): number {
  const due = lastStartedAt === null ? null : Math.min(lastStartedAt + intervalMs, now + intervalMs);
  if (due !== null && due > now) return due;
  return now + idOffset(serviceId, Math.min(intervalMs, RESTART_SPREAD_MS));
}

/** `restoredDueAt` as the `lastScheduledAt` the store keeps, read from the stored state. */
export function restoredScheduledAt(serviceId: string, intervalMs: number, last: LastProbe, now: number): number {
  return restoredDueAt(serviceId, intervalMs, lastProbeStartedAt(last), now) - intervalMs;
}

/**
 * When a service's verdict stops being current (DESIGN "Stale"): 2 × interval + timeout after its last
 * probe finished, or after its registration if it was never probed. Stale once `now` is past it.
 */
export function staleAfter(
  lastCheckedAt: number | null,
  registeredAt: number,
  intervalMs: number,
  timeoutMs: number,
): number {
  return (lastCheckedAt ?? registeredAt) + 2 * intervalMs + timeoutMs;
}
