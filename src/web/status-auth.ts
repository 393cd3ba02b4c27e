// STATUS_TOKEN: the status page's own secret, given as a basic-auth password (any user name, so a
// browser's login prompt works) or as a bearer token (for scripts and proxies).
import type { MiddlewareHandler } from 'hono';
import { matchesSecret, secretDigest } from '../api/auth.js';

function presented(header: string): string | null {
  const bearer = /^Bearer (.+)$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic?.[1]) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/** With no token every request passes. A refusal is a plain 401 that makes a browser ask for a password. */
export function requireStatusToken(token: string | null): MiddlewareHandler {
  const expected = token === null ? null : secretDigest(token);
  return async (c, next) => {
    if (expected !== null) {
      const given = presented(c.req.header('authorization') ?? '');
      if (given === null || !matchesSecret(given, expected)) {
        return c.text('This status page needs a password (STATUS_TOKEN).', 401, {
          'www-authenticate': 'Basic realm="status", charset="UTF-8"',
          'cache-control': 'no-store',
        });
      }
    }
    await next();
    return undefined;
  };
}
