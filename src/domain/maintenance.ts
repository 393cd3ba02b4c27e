// Maintenance windows: while one covers a service, it is probed as always but sends no notice and its
// uptime leaves those probes out. A window covers one service, or every one (`EVERY_SERVICE`).
export const EVERY_SERVICE = '*';
/** The longest window a request may ask for: a year. */
export const MAX_MAINTENANCE_MS = 365 * 24 * 3_600_000;

export interface MaintenanceWindow {
  /** A service id, or EVERY_SERVICE. */
  readonly scope: string;
  readonly startsAt: number;
  /** Epoch ms: the window ends by itself then. */
  readonly until: number;
  readonly reason: string;
}

/** The window covering `serviceId` at `now`: its own, else the one for every service; the later-ending wins. */
export function windowFor(
  windows: ReadonlyMap<string, MaintenanceWindow>,
  serviceId: string,
  now: number,
): MaintenanceWindow | null {
  // Read for every probe result and every scrape: no allocation, and nothing to do without windows.
  if (windows.size === 0) return null;
  const own = open(windows.get(serviceId), now);
  const every = open(windows.get(EVERY_SERVICE), now);
  if (own === null) return every;
  return every !== null && every.until > own.until ? every : own;
}

function open(window: MaintenanceWindow | undefined, now: number): MaintenanceWindow | null {
  return window !== undefined && window.startsAt <= now && now < window.until ? window : null;
}
