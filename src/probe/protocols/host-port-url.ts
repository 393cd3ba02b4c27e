// The URL check shared by the protocols that connect to a host and port only (tcp://, grpc://): the URL
// parser keeps any host text for schemes it does not know, so the host and port are checked here.
import { portProblem } from '../../domain/index.js';

/** The URL's host as a connection takes it: an IPv6 literal without its brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** `example` shows a valid URL of the scheme in the message about a missing port (`tcp://host:5432`). */
export function hostPortUrlProblem(url: URL, text: string, example: string): string | null {
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/.test(url.hostname))
    return 'must name a host by a DNS name or an IP address';
  if (url.port === '') return `must name a port, as ${example}`;
  const port = portProblem(url);
  if (port !== null) return port;
  if (url.pathname !== '' && url.pathname !== '/')
    return `must not have a path: ${url.protocol}// connects to a host and port only`;
  if (text.includes('?') || text.includes('#')) return 'must not contain a query or fragment';
  return null;
}
