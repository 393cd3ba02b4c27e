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

/**
 * After a restart, a service's last schedule time is set so it falls due somewhere in the next
 * interval, at an offset fixed by its id: polling resumes spread out instead of all at once.
 */
export function restoredScheduledAt(serviceId: string, intervalMs: number, now: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < serviceId.length; i++) {
    hash = Math.imul(hash ^ serviceId.charCodeAt(i), 0x01000193) >>> 0;
  }
  const offset = hash % Math.max(1, Math.floor(intervalMs));
  return now - intervalMs + offset;
}
