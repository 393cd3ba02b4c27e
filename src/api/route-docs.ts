// What every route's OpenAPI documentation shares: the error responses, the bearer token, the id parameter.
// Each routes file documents its own routes next to them with a `DocumentRoutes` function;
// routes/openapi.ts assembles the document from those functions.
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { errorBodySchema } from './errors.js';
import { registrationBody } from './registration-schema.js';

/** Adds a routes file's paths (and any components they need) to the registry. */
export type DocumentRoutes = (registry: OpenAPIRegistry) => void;

export const BEARER_AUTH = 'bearerAuth';

export function registerBearerAuth(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', BEARER_AUTH, {
    type: 'http',
    scheme: 'bearer',
    description:
      'The REGISTER_TOKEN the monitor runs with, as `Authorization: Bearer <token>`. Without REGISTER_TOKEN the routes are open.',
  });
}

/** The `security` of a route that changes the registry. */
export const requiresToken = [{ [BEARER_AUTH]: [] }];

/** `{id}` in a path: the same id schema the registration validates, so only registrable ids are described. */
export const serviceIdParams = z.object({ id: registrationBody.shape.id.meta({ description: 'The service id' }) });

export function jsonResponse(description: string, schema: z.ZodType): ResponseConfig {
  return { description, content: { 'application/json': { schema } } };
}

type ErrorStatus = 400 | 401 | 404 | 413 | 415 | 501 | 503;

/** Error responses, each described by the error codes it can carry; all share the one error shape. */
export function errorResponses(descriptions: Partial<Record<ErrorStatus, string>>): Record<string, ResponseConfig> {
  return Object.fromEntries(
    Object.entries(descriptions).map(([status, description]) => [status, jsonResponse(description, errorBodySchema)]),
  );
}

export const UNAUTHORIZED = '`unauthorized`: REGISTER_TOKEN is set and the bearer token is missing or wrong';
export const SERVICE_NOT_FOUND = '`service_not_found`: no service is registered with this id';
export const SHUTTING_DOWN = '`shutting_down`: the monitor is stopping; try again shortly';
export const STORAGE_UNAVAILABLE =
  '`storage_unavailable`: the database could not commit the change; nothing changed, and a retry may succeed';
