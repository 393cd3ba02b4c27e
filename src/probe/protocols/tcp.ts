// tcp://host:port: a connection made within the timeout is ready and healthy; refused, reset or timed
// out is a failure (retried, then dead). Nothing is sent: a database or a broker is asked nothing.
import { portProblem } from '../../domain/index.js';
import type { ProbeProtocol } from '../protocol.js';

export const tcpProtocol: ProbeProtocol = {
  schemes: ['tcp:'],
  healthPath: false,
  checkUrl(url, text) {
    // Not a special scheme: the URL parser keeps any host text; only a name or an address is connectable.
    if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/.test(url.hostname))
      return 'must name a host by a DNS name or an IP address';
    if (url.port === '') return 'must name a port, as tcp://host:5432';
    const port = portProblem(url);
    if (port !== null) return port;
    if (url.pathname !== '' && url.pathname !== '/') return 'must not have a path: tcp:// connects to a port only';
    if (text.includes('?') || text.includes('#')) return 'must not contain a query or fragment';
    return null;
  },
  async createProber(context) {
    const { createTcpProber } = await import('../tcp/tcp-probe.js');
    return createTcpProber(context);
  },
};
