// The HTTP(S) protocol: GET {url}{health_path}. The prober itself (ky on undici) is in ../http/ and is
// loaded by the probe threads only, so the API thread reads these schemes without loading it.
import { portProblem } from '../../domain/index.js';
import type { ProbeProtocol } from '../protocol.js';

export const httpProtocol: ProbeProtocol = {
  name: 'http',
  schemes: ['http:', 'https:'],
  tlsSchemes: ['https:'],
  healthPath: true,
  checkUrl(url, text) {
    // On the text, not the parsed URL: a bare `?` or `#` parses as an empty query or fragment, yet the
    // health path appended to the text would land after it.
    if (text.includes('?') || text.includes('#'))
      return 'must not contain a query or fragment (use health_path for a query)';
    return portProblem(url);
  },
  async createProber(context) {
    const { createHttpProber } = await import('../http/http-probe.js');
    return createHttpProber(context);
  },
};
