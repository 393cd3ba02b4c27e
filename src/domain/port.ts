// The port a target or webhook URL connects to. Any TCP port from 1 to 65535 is fine: the probe and
// the webhook deliveries run on undici's dispatcher, not on fetch, so the fetch standard's "bad ports"
// (6000, 10080, …) do not apply to them.

/** The port a URL connects to, its scheme's default when it names none. */
export function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** `null` when something can listen on the URL's port, else why not. */
export function portProblem(url: URL): string | null {
  // The URL parser takes port 0, but nothing can connect to it.
  return effectivePort(url) === 0 ? 'port 0 cannot be connected to; use a port from 1 to 65535' : null;
}
