// REGISTER_TOKEN: a bearer token required for the routes that change the registry.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.js';

export const secretDigest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Comparing fixed-length digests keeps the comparison constant-time whatever the lengths. */
export const matchesSecret = (given: string, expected: Buffer): boolean =>
  timingSafeEqual(secretDigest(given), expected);

/** With no token configured every request passes (main.ts warns about it at start). */
export function requireToken(token: string | null): MiddlewareHandler {
  const expected = token === null ? null : secretDigest(token);
  return async (c, next) => {
    if (expected !== null) {
      const header = c.req.header('authorization') ?? '';
      const match = /^Bearer (.+)$/i.exec(header);
      if (!match?.[1] || !matchesSecret(match[1], expected)) {
        throw new ApiError(401, 'unauthorized', 'a valid "Authorization: Bearer <token>" header is required', [], {
          'www-authenticate': 'Bearer',
        });
      }
    }
    await next();
  };
}
