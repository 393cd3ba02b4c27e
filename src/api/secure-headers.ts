// The secure headers every answer carries, errors and the event stream included. The API serves only
// JSON and text, never a page: a CSP that allows nothing costs no client anything.
import { secureHeaders } from 'hono/secure-headers';

export const secureHeadersMiddleware = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  xFrameOptions: 'DENY',
});
