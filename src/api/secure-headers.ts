// The secure headers every answer carries, errors and the event stream included. The API serves JSON
// and text: a CSP that allows nothing costs it nothing. The status page's own policy allows only this
// origin's scripts and styles carrying the answer's nonce: no inline script, no other host.
import type { MiddlewareHandler } from 'hono';
import { NONCE, secureHeaders } from 'hono/secure-headers';

const apiHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  xFrameOptions: 'DENY',
});

const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'", NONCE],
    styleSrc: ["'self'", NONCE],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
});

/** Badges are images for other sites' pages (a README, a wiki): any origin may embed them. */
const badgeHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  crossOriginResourcePolicy: 'cross-origin',
  xFrameOptions: 'DENY',
});

/** The status page and its assets: `/` and everything under `/ui/`. */
export const isPagePath = (path: string): boolean => path === '/' || path.startsWith('/ui/');

export const secureHeadersMiddleware: MiddlewareHandler = (c, next) => {
  const { path } = c.req;
  const headers = isPagePath(path) ? pageHeaders : path.startsWith('/badges/') ? badgeHeaders : apiHeaders;
  return headers(c, next);
};
