// Property-based tests of the registration API: random bodies, one-field mutations of valid
// registrations, and random path ids and history queries, sent to the real Hono app on a store backed
// by a temporary SQLite file. Never a 5xx, never an uncaught error; every refusal is a 4xx in the one
// error shape naming what is wrong; every acceptance reads back as sent, also after a reopen.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Hono } from 'hono';
import { pino } from 'pino';
import { createApp } from '../../src/api/app.js';
import type { ErrorBody } from '../../src/api/errors.js';
import { ANY_TARGET } from '../../src/domain/index.js';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import type { ServiceStore } from '../../src/store/store.js';
import { HEALTHY, openStore, probeResult, registration, TEST_DEFAULTS } from '../helpers/fixtures.js';
import { fuzzParameters, watchUncaughtErrors } from '../helpers/fuzz.js';
import {
  anyBody,
  applyMutation,
  bodyText,
  mutation,
  validRegistration,
  type AnyBody,
  type Mutation,
  type RawEntries,
} from '../helpers/registration-arbitraries.js';
import { assertAcceptable, assertNamesFields, expectedView, pick, readError } from '../helpers/registration-oracle.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Api {
  readonly app: Hono;
  readonly store: ServiceStore;
}

async function openApi(file: string): Promise<Api> {
  const store = await openStore({ persistence: SqlitePersistence.open(file) });
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: null,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
  });
  return { app, store };
}

/** id → the service view last read back; mirrors what the store must hold. */
type Registry = Map<string, Record<string, unknown>>;

const SETTINGS_KEYS = [
  'id',
  'url',
  'health_path',
  'attributes',
  'poll_interval_sec',
  'timeout_ms',
  'failure_threshold',
  'success_threshold',
  'error_rate_threshold',
  'deregister_after_sec',
  'webhook_url',
  'degraded_latency_ms',
  'tls_skip_verify',
  'grpc_service',
  'depends_on',
  'health',
  'ready',
] as const;

/**
 * The rules between two fields are reported on the dependent one: a change to the first may be
 * refused as the second (a timeout cut below the latency limit names `degraded_latency_ms`).
 */
const REPORTED_AS: Readonly<Record<string, readonly string[]>> = {
  poll_interval_sec: ['timeout_ms', 'degraded_latency_ms'],
  timeout_ms: ['degraded_latency_ms'],
  url: ['tls_skip_verify', 'health_path', 'grpc_service'],
  // A new id can close a loop that its depends_on names.
  id: ['depends_on'],
};

const servicePath = (id: string): string => `/services/${encodeURIComponent(id)}`;

async function post(app: Hono, { contentType, body }: AnyBody): Promise<Response> {
  return app.request('/register', {
    method: 'POST',
    headers: contentType === null ? {} : { 'content-type': contentType },
    body,
  });
}

/** A 2xx: right status for a new or known id, settings as sent, and the same view through GET. */
async function checkAccepted(app: Hono, registry: Registry, response: Response, body: AnyBody['body']): Promise<void> {
  const sent = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body)) as Record<string, unknown>;
  const view = (await response.json()) as Record<string, unknown>;
  const id = sent['id'] as string;
  const known = registry.has(id);
  registry.set(id, view);
  assert.equal(response.status, known ? 200 : 201, `${known ? 'known' : 'new'} id answered ${response.status}`);
  assertAcceptable(sent);
  assert.deepEqual(pick(view, SETTINGS_KEYS), expectedView(sent, TEST_DEFAULTS));
  const read = await app.request(servicePath(id));
  assert.equal(read.status, 200, `GET ${servicePath(id)} after acceptance`);
  assert.deepEqual(await read.json(), view);
}

/** Any answer to POST /register: a 2xx checked as above, or a 4xx in the error shape. */
async function checkAnswer(
  app: Hono,
  registry: Registry,
  request: AnyBody,
): Promise<{ status: number; error?: ErrorBody['error'] }> {
  const response = await post(app, request);
  assert.ok(response.status < 500, `answered ${response.status}: ${await response.clone().text()}`);
  assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false, 'Object.prototype was polluted');
  if (response.status === 200 || response.status === 201) {
    await checkAccepted(app, registry, response, request.body);
    return { status: response.status };
  }
  assert.ok(response.status >= 400, `answered ${response.status}`);
  const error = await readError(response);
  if (response.status === 400 && error.code === 'invalid_registration') assertNamesFields(error);
  if (response.status === 413) assert.equal(error.code, 'payload_too_large');
  if (response.status === 415) assert.match(error.message, /Content-Type/);
  return { status: response.status, error };
}

/** Closed and opened again from the same file, the store serves every accepted registration unchanged. */
async function assertSurvivesReopen(file: string, api: Api, registry: Registry): Promise<void> {
  await api.store.close();
  const reopened = await openApi(file);
  try {
    const listed = (await (await reopened.app.request('/services')).json()) as { id: string }[];
    assert.deepEqual(listed.map((service) => service.id).sort(), [...registry.keys()].sort());
    for (const [id, view] of registry) {
      const read = await reopened.app.request(servicePath(id));
      assert.equal(read.status, 200, `${id} after reopen`);
      assert.deepEqual(await read.json(), view, `${id} after reopen`);
    }
  } finally {
    await reopened.store.close();
  }
}

test('any body with any content type: a 4xx naming the problem, or a registration that reads back as sent', async (t) => {
  const assertNoUncaught = watchUncaughtErrors(t);
  const file = join(tempDir(t), 'monitor.db');
  const api = await openApi(file);
  const registry: Registry = new Map();
  await fc.assert(
    fc.asyncProperty(anyBody, async (request) => {
      await checkAnswer(api.app, registry, request);
    }),
    fuzzParameters(250),
  );
  await assertSurvivesReopen(file, api, registry);
  assertNoUncaught();
});

const base: RawEntries = [
  ['id', '"svc-x"'],
  ['url', '"http://h:9001"'],
];
/** Inputs that once got through: each stays checked on every run, before the random ones. */
const FOUND: [RawEntries, Mutation][] = [
  [base, { kind: 'set', field: 'url', raw: '"http://h:0"' }],
  [base, { kind: 'set', field: 'url', raw: '"http://h:9001?"' }],
  [base, { kind: 'set', field: 'url', raw: '"http://h:9001#"' }],
  [base, { kind: 'set', field: 'url', raw: '"http://h:9001/ "' }],
  [base, { kind: 'set', field: 'url', raw: '"http://h\\n:9001"' }],
  [base, { kind: 'set', field: 'webhook_url', raw: '"http://h:0/hook"' }],
  [base, { kind: 'set', field: 'webhook_url', raw: '"http://h:9001/hook\\t"' }],
  [base, { kind: 'set', field: 'id', raw: '".."' }],
  [base, { kind: 'set', field: 'id', raw: '"."' }],
  [base, { kind: 'set', field: 'attributes', raw: '{"__proto__":"x"}' }],
  [base, { kind: 'set', field: 'attributes', raw: '{"__proto__":{"polluted":"yes"}}' }],
  [base, { kind: 'set', field: 'health_path', raw: '"/health\\u0000"' }],
];

test('a valid registration with one field mutated: accepted as sent, or a 4xx naming that field alone', async (t) => {
  const assertNoUncaught = watchUncaughtErrors(t);
  const file = join(tempDir(t), 'monitor.db');
  const api = await openApi(file);
  const registry: Registry = new Map();
  await fc.assert(
    fc.asyncProperty(validRegistration, mutation, async (entries, change) => {
      const { status, error } = await checkAnswer(api.app, registry, {
        contentType: 'application/json',
        body: bodyText(applyMutation(entries, change)),
      });
      if (error === undefined || status === 413) return;
      assert.equal(status, 400);
      assert.equal(error.code, 'invalid_registration');
      for (const detail of error.details) {
        const named =
          detail.field === change.field ||
          detail.field.startsWith(`${change.field}.`) ||
          (REPORTED_AS[change.field] ?? []).includes(detail.field);
        assert.ok(named, `a change to ${change.field} was refused as ${detail.field}: ${detail.message}`);
      }
    }),
    fuzzParameters(300, FOUND),
  );
  await assertSurvivesReopen(file, api, registry);
  assertNoUncaught();
});

test('every valid registration is accepted as sent (so the test above cannot pass by refusing everything)', async (t) => {
  const assertNoUncaught = watchUncaughtErrors(t);
  const file = join(tempDir(t), 'monitor.db');
  const api = await openApi(file);
  const registry: Registry = new Map();
  await fc.assert(
    fc.asyncProperty(validRegistration, async (entries) => {
      const { status } = await checkAnswer(api.app, registry, {
        contentType: 'application/json',
        body: bodyText(entries),
      });
      assert.ok(status === 200 || status === 201, `a valid registration answered ${status}`);
    }),
    fuzzParameters(100),
  );
  await assertSurvivesReopen(file, api, registry);
  assertNoUncaught();
});

// ---- Paths and queries ---------------------------------------------------------------------------

const KNOWN_IDS = ['alpha', 'svc:c', 'with.dot', 'flappy'] as const;
const FLAPPY_TRANSITIONS = 7;

interface PathRequest {
  readonly kind: 'get' | 'delete' | 'history';
  readonly id: string;
  /** Percent-encoded as a client should; otherwise sent raw. */
  readonly encoded: boolean;
  readonly query: readonly (readonly [string, string])[];
}

const queryValue = fc.oneof(
  fc.constantFrom(
    '0',
    '1',
    '50',
    '1000',
    '1001',
    '0001',
    '-1',
    '1.5',
    '1e3',
    ' 1',
    '',
    'abc',
    '9'.repeat(400),
    '99999999999999999999',
  ),
  fc.nat().map(String),
  fc.string({ unit: 'binary', maxLength: 10 }),
);
const queryKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('limit', 'before') },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'Limit', 'offset', '') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);

const pathRequest: fc.Arbitrary<PathRequest> = fc.record({
  kind: fc.constantFrom('get', 'delete', 'history'),
  id: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...KNOWN_IDS) },
    { weight: 1, arbitrary: fc.constantFrom('', '.', '..', 'ALPHA', 'alpha/history', '%', '%2F', '%E0%A4%A', 'a%00b') },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  ),
  encoded: fc.boolean(),
  query: fc.array(fc.tuple(queryKey, queryValue), { maxLength: 3 }),
});

/** The query parameters GET /services/:id/history must refuse, by the router's reading: first value wins, empty names are skipped. */
function badQueryParameters(query: PathRequest['query']): string[] {
  const first = new Map<string, string>();
  for (const [key, value] of query) if (key !== '' && !first.has(key)) first.set(key, value);
  return [...first].flatMap(([key, value]) => {
    if (key === 'limit') return /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 1000 ? [] : [key];
    if (key === 'before') return /^\d+$/.test(value) ? [] : [key];
    return [key];
  });
}

async function checkHistory(response: Response, error: ErrorBody['error'] | null, request: PathRequest): Promise<void> {
  const bad = badQueryParameters(request.query);
  if (bad.length > 0) {
    assert.equal(response.status, 400, `history with bad ${bad.join(', ')} answered ${response.status}`);
    assert.ok(error !== null && error.code === 'invalid_query', `code ${error?.code}`);
    assert.deepEqual(error.details.map((detail) => detail.field).sort(), [...bad].sort());
    for (const field of bad)
      assert.ok(error.message.includes(field), `message does not name ${field}: ${error.message}`);
    return;
  }
  assert.equal(response.status, 200);
  const params = new Map(request.query.filter(([key]) => key !== '').reverse());
  const limit = params.has('limit') ? Number(params.get('limit')) : 50;
  const before = params.has('before') ? Number(params.get('before')) : Infinity;
  const page = (await response.json()) as {
    service: string;
    transitions: { id: number }[];
    next_before: number | null;
  };
  assert.equal(page.service, request.id);
  assert.ok(page.transitions.length <= limit);
  assert.ok(
    page.transitions.every(
      (transition, i) => transition.id < before && (i === 0 || transition.id < (page.transitions[i - 1]?.id ?? 0)),
    ),
  );
  const last = page.transitions[page.transitions.length - 1];
  assert.equal(page.next_before, page.transitions.length === limit && last ? last.id : null);
}

test('random path ids and history queries: 404 for what is not registered, 400 naming a bad parameter, never a 5xx', async (t) => {
  const assertNoUncaught = watchUncaughtErrors(t);
  const { app, store } = await openApi(join(tempDir(t), 'monitor.db'));
  t.after(() => store.close());
  const registered = new Set<string>();
  const registerKnown = async (id: string): Promise<void> => {
    await store.register(registration(id, `http://h:9001/${id}`));
    registered.add(id);
  };
  for (const id of KNOWN_IDS) await registerKnown(id);
  const flappy = store.get('flappy');
  assert.ok(flappy);
  for (let i = 0; i < FLAPPY_TRANSITIONS; i++) {
    const outcome = i % 2 === 0 ? HEALTHY : ({ kind: 'unreachable', error: 'refused' } as const);
    await store.applyResults([probeResult('flappy', flappy.generation, outcome, 1_000_000 + i * 1000)]);
  }

  await fc.assert(
    fc.asyncProperty(pathRequest, async (request) => {
      const segment = request.encoded ? encodeURIComponent(request.id) : request.id;
      const query = request.query
        .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
        .join('&');
      const path = `/services/${segment}${request.kind === 'history' ? '/history' : ''}${query === '' ? '' : `?${query}`}`;
      const response = await app.request(path, { method: request.kind === 'delete' ? 'DELETE' : 'GET' });
      assert.ok(response.status < 500, `${path} answered ${response.status}`);
      const error = response.status >= 400 ? await readError(response) : null;
      // A raw segment may hold `/`, `%`, `..`: the route it reaches is the router's business; only the
      // above holds, and a 204 must have removed a registered service (put back for the next runs).
      if (!request.encoded) {
        if (response.status !== 204) return;
        const gone = [...registered].filter((id) => !store.get(id));
        assert.equal(gone.length, 1, `a raw DELETE ${path} answered 204 and removed ${gone.length} services`);
        for (const id of gone) await registerKnown(id);
        return;
      }
      // `.` and `..` are resolved away by the URL parser and an empty id is no id: those reach other routes.
      const addressable = !['', '.', '..'].includes(request.id);
      if (!registered.has(request.id)) {
        assert.ok(
          response.status === 404 || (!addressable && response.status === 405),
          `${path} answered ${response.status}`,
        );
        if (addressable) assert.equal(error?.code, 'service_not_found');
        return;
      }
      if (request.kind === 'get') {
        assert.equal(response.status, 200);
        assert.equal(((await response.json()) as { id: string }).id, request.id);
      } else if (request.kind === 'delete') {
        assert.equal(response.status, 204);
        registered.delete(request.id);
        assert.equal((await app.request(servicePath(request.id))).status, 404, 'still readable after DELETE');
        await registerKnown(request.id);
      } else {
        await checkHistory(response, error, request);
      }
    }),
    fuzzParameters<[PathRequest]>(300, [
      // Once answered with zod's "expected number, received Infinity".
      [{ kind: 'history', id: 'alpha', encoded: true, query: [['limit', '9'.repeat(400)]] }],
      [{ kind: 'history', id: 'flappy', encoded: true, query: [['before', '9'.repeat(400)]] }],
    ]),
  );
  assertNoUncaught();
});
