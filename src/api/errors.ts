// The one error class of the API, and the one JSON shape every error response has.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

const errorDetailSchema = z
  .object({
    field: z
      .string()
      .meta({ description: 'The field or parameter at fault, as `attributes.env`; `(body)` for the body as a whole' }),
    message: z.string().meta({ description: 'What is wrong with it' }),
  })
  .readonly();

/** The schema is the type's single source, so the OpenAPI document cannot drift from what is sent. */
export const errorBodySchema = z
  .object({
    error: z
      .object({
        code: z
          .string()
          .meta({ description: 'Stable and machine-readable, e.g. `invalid_registration`, `service_not_found`' }),
        message: z.string().meta({ description: 'For people: every problem in one sentence' }),
        details: z
          .array(errorDetailSchema)
          .readonly()
          .meta({ description: 'One entry per bad field; empty when none applies' }),
      })
      .readonly(),
  })
  .readonly()
  .meta({ id: 'Error', description: 'The one shape of every error response' });

export type ErrorDetail = z.output<typeof errorDetailSchema>;
export type ErrorBody = z.output<typeof errorBodySchema>;

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The 404 of every route under /services/{id}. */
export function serviceNotFound(id: string): ApiError {
  return new ApiError(404, 'service_not_found', `no service is registered with id "${id}"`);
}

export function errorResponse(c: Context, error: ApiError): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message, details: error.details } };
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(body, error.status);
}
