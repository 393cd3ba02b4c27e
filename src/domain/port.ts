// The ports the WHATWG fetch standard refuses ("bad ports"). The HTTP probe no longer runs on Node's
// fetch, but registration still refuses them for probe and webhook URLs, and the probe still does not
// connect to them, as the monitor always promised (another issue may lift this).

export const FETCH_BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** The port a URL connects to, its scheme's default when it names none. */
export function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** `null` when the URL's port can be fetched, else why not. */
export function blockedPortProblem(url: URL): string | null {
  const port = effectivePort(url);
  // The URL parser takes port 0, but nothing can connect to it.
  if (port === 0) return 'port 0 cannot be connected to; use a port from 1 to 65535';
  return FETCH_BLOCKED_PORTS.has(port) ? `port ${port} is blocked by the fetch standard and cannot be probed` : null;
}
