// GET /openapi.json: the API described as OpenAPI 3.1, generated from the zod schemas the routes validate
// and answer with. Every routes file documents its own routes; this file assembles them.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { Hono } from 'hono';
import { z } from 'zod';
import { MAX_REQUEST_BODY_BYTES } from '../body-limit.js';
import { jsonResponse, registerBearerAuth, type DocumentRoutes } from '../route-docs.js';
import { SERVER_LIMITS } from '../server.js';
import { documentBadgeRoutes } from './badges.js';
import { documentClusterRoutes } from './cluster.js';
import { documentEventRoutes } from './events.js';
import { documentHealthzRoutes } from './healthz.js';
import { documentHistoryRoutes } from './history.js';
import { documentMaintenanceRoutes } from './maintenance.js';
import { documentMetricsRoutes } from './metrics.js';
import { documentRegisterRoutes } from './register.js';
import { documentServiceRoutes } from './services.js';

/** The version of the wire contract this document describes (not of the package). */
const API_VERSION = '1.0.0';

const DESCRIPTION = [
  'Services register themselves; the monitor polls their health endpoint and shows what it saw.',
  'Every error answers in the one `Error` shape. An unknown path answers 404 `not_found`, and so does a',
  'known one with a trailing slash (`/metrics/`);',
  'a method a path does not support answers 405 `method_not_allowed` with an `Allow` header;',
  `a body over ${MAX_REQUEST_BODY_BYTES} bytes answers 413 \`payload_too_large\` on any route;`,
  `more than ${SERVER_LIMITS.maxHeadersCount} header lines answer 431 \`too_many_headers\`;`,
  'an unexpected failure answers 500 `internal_error`.',
].join(' ');

const documentOpenApiRoutes: DocumentRoutes = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    responses: { 200: jsonResponse('The OpenAPI 3.1 document of this API', z.record(z.string(), z.unknown())) },
  });
};

/** Add a routes file's documenter here when its routes join the app; the tests fail until both agree. */
const ROUTE_DOCS: readonly DocumentRoutes[] = [
  documentRegisterRoutes,
  documentServiceRoutes,
  documentHistoryRoutes,
  documentMaintenanceRoutes,
  documentMetricsRoutes,
  documentHealthzRoutes,
  documentEventRoutes,
  documentClusterRoutes,
  documentBadgeRoutes,
  documentOpenApiRoutes,
];

export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  registerBearerAuth(registry);
  for (const documentRoutes of ROUTE_DOCS) documentRoutes(registry);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'health-monitor', version: API_VERSION, description: DESCRIPTION },
  });
}

// The document depends on no configuration, so one serialisation serves every app and request.
let documentJson: string | undefined;

export function openapiRoutes(): Hono {
  // Built when the app is, so a schema the generator cannot render fails at start, not on a request.
  const json = (documentJson ??= JSON.stringify(buildOpenApiDocument()));
  const routes = new Hono();
  routes.get('/openapi.json', (c) => c.body(json, 200, { 'content-type': 'application/json; charset=UTF-8' }));
  return routes;
}
