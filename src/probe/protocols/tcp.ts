// tcp://host:port: a connection made within the timeout is ready and healthy; refused, reset or timed
// out is a failure (retried, then dead). Nothing is sent: a database or a broker is asked nothing.
import type { ProbeProtocol } from '../protocol.js';
import { hostPortUrlProblem } from './host-port-url.js';

export const tcpProtocol: ProbeProtocol = {
  name: 'tcp',
  schemes: ['tcp:'],
  tlsSchemes: [],
  healthPath: false,
  checkUrl: (url, text) => hostPortUrlProblem(url, text, 'tcp://host:5432'),
  async createProber(context) {
    const { createTcpProber } = await import('../tcp/tcp-probe.js');
    return createTcpProber(context);
  },
};
