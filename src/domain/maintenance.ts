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
  const candidates = [windows.get(serviceId), windows.get(EVERY_SERVICE)].filter(
    (window): window is MaintenanceWindow => window !== undefined && window.startsAt <= now && now < window.until,
  );
  return candidates.sort((a, b) => b.until - a.until)[0] ?? null;
}
