import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Hono } from 'hono';
import { pino } from 'pino';
import { ANY_TARGET } from '../../domain/index.js';
import { openStore, TEST_DEFAULTS } from '../../../tests/helpers/fixtures.js';
import { createApp } from '../app.js';
import { historyQuery } from './history.js';
import { metricsQuery } from './metrics.js';

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

interface Parameter {
  readonly name: string;
  readonly in: string;
}
interface Operation {
  readonly security?: readonly Record<string, readonly string[]>[];
  readonly parameters?: readonly Parameter[];
  readonly responses: Readonly<Record<string, unknown>>;
}
interface Document {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, unknown>>;
    readonly securitySchemes: Readonly<Record<string, { readonly type: string; readonly scheme?: string }>>;
  };
}

async function appWithStore(t: TestContext): Promise<Hono> {
  const store = await openStore();
  t.after(() => store.close());
  return createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: 'a-token',
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
  });
}

async function documentOf(app: Hono): Promise<Document> {
  const response = await app.request('/openapi.json');
  assert.equal(response.status, 200);
  return (await response.json()) as Document;
}

/** `GET /services/{id}` for every route Hono dispatches, middleware (`ALL`) left out. */
function routedOperations(app: Hono): Set<string> {
  return new Set(
    app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`),
  );
}

function documentedOperations(document: Document): Set<string> {
  return new Set(
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => HTTP_METHODS.has(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    ),
  );
}

const missingFrom = (expected: Set<string>, actual: Set<string>): string[] =>
  [...expected].filter((entry) => !actual.has(entry)).sort();

function operation(document: Document, method: string, path: string): Operation {
  const found = document.paths[path]?.[method];
  assert.ok(found, `${method} ${path} is documented`);
  return found;
}

test('GET /openapi.json answers 200 with a JSON OpenAPI 3.1 document', async (t) => {
  const response = await (await appWithStore(t)).request('/openapi.json');
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json\b/);
  const document = (await response.json()) as Document;
  assert.equal(document.openapi, '3.1.0');
  assert.equal(document.info.title, 'health-monitor');
  assert.match(document.info.version, /^\d+\.\d+\.\d+$/);
  assert.ok(Object.keys(document.paths).length > 0);
  for (const name of ['Registration', 'Service', 'MetricsEntry', 'Error', 'HistoryPage', 'Uptime', 'Healthz']) {
    assert.ok(document.components.schemas[name], `components.schemas.${name}`);
  }
});

test('every route of the app is documented, and nothing else is', async (t) => {
  const app = await appWithStore(t);
  const routed = routedOperations(app);
  const documented = documentedOperations(await documentOf(app));
  assert.ok(routed.has('POST /register') && routed.has('GET /services/{id}/history'), 'the routes were read');
  assert.deepEqual(missingFrom(routed, documented), [], 'routes without documentation');
  assert.deepEqual(missingFrom(documented, routed), [], 'documentation without a route');
});

test('a route added without documentation is caught by the comparison', async (t) => {
  const app = await appWithStore(t);
  app.get('/services/:id/undocumented', (c) => c.text('x'));
  const missing = missingFrom(routedOperations(app), documentedOperations(await documentOf(app)));
  assert.deepEqual(missing, ['GET /services/{id}/undocumented']);
});

test('the routes that change the registry or its windows require the bearer token; the others do not', async (t) => {
  const document = await documentOf(await appWithStore(t));
  const scheme = document.components.securitySchemes['bearerAuth'];
  assert.equal(scheme?.type, 'http');
  assert.equal(scheme.scheme, 'bearer');
  const protectedOperations = new Set([
    'POST /register',
    'DELETE /services/{id}',
    'POST /maintenance',
    'DELETE /maintenance',
    'POST /services/{id}/maintenance',
    'DELETE /services/{id}/maintenance',
  ]);
  for (const entry of documentedOperations(document)) {
    const [method = '', path = ''] = entry.split(' ');
    const op = operation(document, method.toLowerCase(), path);
    if (protectedOperations.has(entry)) {
      assert.deepEqual(op.security, [{ bearerAuth: [] }], entry);
      assert.ok(op.responses['401'], `${entry} documents 401`);
    } else {
      assert.equal(op.security, undefined, entry);
    }
  }
});

test('the query parameters documented are the ones the validators read', async (t) => {
  const document = await documentOf(await appWithStore(t));
  const queryNames = (op: Operation) =>
    (op.parameters ?? [])
      .filter((p) => p.in === 'query')
      .map((p) => p.name)
      .sort();
  assert.deepEqual(
    queryNames(operation(document, 'get', '/services/{id}/history')),
    Object.keys(historyQuery.shape).sort(),
  );
  assert.deepEqual(queryNames(operation(document, 'get', '/metrics')), Object.keys(metricsQuery.shape).sort());
});

test('the documented page size bounds are the ones the history validator enforces', async (t) => {
  const document = await documentOf(await appWithStore(t));
  const limit = operation(document, 'get', '/services/{id}/history').parameters?.find((p) => p.name === 'limit') as
    (Parameter & { schema: { type: string; minimum: number; maximum: number } }) | undefined;
  assert.equal(limit?.schema.type, 'integer');
  const accepts = (value: number) => historyQuery.safeParse({ limit: String(value) }).success;
  assert.ok(accepts(limit.schema.minimum) && !accepts(limit.schema.minimum - 1));
  assert.ok(accepts(limit.schema.maximum) && !accepts(limit.schema.maximum + 1));
});

test('/metrics documents its JSON and Prometheus text answers', async (t) => {
  const document = await documentOf(await appWithStore(t));
  const ok = operation(document, 'get', '/metrics').responses['200'] as { content: Record<string, unknown> };
  assert.deepEqual(Object.keys(ok.content).sort(), ['application/json', 'text/plain']);
  const format = operation(document, 'get', '/metrics').parameters?.find((p) => p.name === 'format') as
    (Parameter & { schema: { enum: string[] } }) | undefined;
  assert.deepEqual(format?.schema.enum, ['json', 'prometheus']);
});
