// One body limit for every route: only POST /register reads a body, but any route could be sent one.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError, errorResponse } from './errors.js';
import { REGISTRATION_LIMITS } from './registration-schema.js';

export const MAX_REQUEST_BODY_BYTES = REGISTRATION_LIMITS.maxBodyBytes;

const tooLarge = (c: Context): Response =>
  errorResponse(c, new ApiError(413, 'payload_too_large', `body must be at most ${MAX_REQUEST_BODY_BYTES} bytes`));

/** Reads a chunked body up to the limit and refuses it when it passes; a declared length is trusted. */
const limitStreamedBody = bodyLimit({ maxSize: MAX_REQUEST_BODY_BYTES, onError: tooLarge });

/**
 * A declared Content-Length over the limit is refused before any of the body is read, whatever the
 * method: a GET's or HEAD's body is invisible to the fetch API, so bodyLimit alone would let it through.
 */
export const limitBody: MiddlewareHandler = async (c, next) => {
  if (Number(c.req.header('content-length') ?? '0') > MAX_REQUEST_BODY_BYTES) return tooLarge(c);
  return limitStreamedBody(c, next);
};
