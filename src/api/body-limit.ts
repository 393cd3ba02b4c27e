// One body limit for every route. Only POST /register reads a body, and it enforces the limit while
// reading a chunked one (read-body.ts); here a declared Content-Length over the limit is refused before
// any of the body is read, whatever the method. A chunked body sent to a route that reads none is never
// buffered: Node discards it as it arrives. (hono/body-limit would do the reading for every route, but
// touching the body makes @hono/node-server build a WHATWG Request per request, GETs included.)
import type { MiddlewareHandler } from 'hono';
import { errorResponse } from './errors.js';
import { tooLarge } from './read-body.js';
import { REGISTRATION_LIMITS } from './registration-schema.js';

export const MAX_REQUEST_BODY_BYTES = REGISTRATION_LIMITS.maxBodyBytes;

export const limitBody: MiddlewareHandler = async (c, next): Promise<Response | void> => {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > MAX_REQUEST_BODY_BYTES) {
    return errorResponse(c, tooLarge(MAX_REQUEST_BODY_BYTES));
  }
  return next();
};
