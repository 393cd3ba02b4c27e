// Property-based tests of /health answers: random bodies served by a real HTTP server, probed by the
// real probe code in-process and applied to a store on a temporary SQLite file, always leave a valid
// state; and parseHealthBody, the one place a body is read, holds its contract on many more inputs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { Agent } from 'undici';
import { metricsEntry, metricsEntrySchema, NO_CONTEXT, serviceView, serviceViewSchema } from '../../src/api/views.js';
import {
  HEALTH_ATTRIBUTE_LIMITS,
  HEALTH_STATES,
  MAX_BODY_BYTES,
  parseHealthBody,
  parseHealthBytes,
  type HealthReport,
  type ProbeOutcome,
  type ServiceState,
} from '../../src/domain/index.js';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import { createHttpProbe } from '../../src/probe/http/http-probe.js';
import { createUndiciFetch } from '../../src/probe/http/undici-fetch.js';
import { runProbe } from '../../src/probe/run-probe.js';
import { openStore, registration } from '../helpers/fixtures.js';
import { fuzzParameters, watchUncaughtErrors } from '../helpers/fuzz.js';
import {
  contentType,
  COUNTER_FIELDS,
  healthText,
  servedBody,
  type ServedBody,
} from '../helpers/health-body-arbitraries.js';
import { show } from '../helpers/registration-oracle.js';
import { startTarget } from '../helpers/target.js';
import { tempDir } from '../helpers/temp-dir.js';

const isCounter = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isRate = (value: unknown): boolean => typeof value === 'number' && value >= 0 && value <= 1;

/** Attributes as bounded strings: what a target may put into the monitor's memory and database. */
function assertBoundedAttributes(attributes: Readonly<Record<string, unknown>>): void {
  const entries = Object.entries(attributes);
  assert.ok(entries.length <= HEALTH_ATTRIBUTE_LIMITS.maxEntries, `${entries.length} attributes kept`);
  for (const [key, value] of entries) {
    assert.ok(key.length <= HEALTH_ATTRIBUTE_LIMITS.maxKeyLength, `attribute key of ${key.length} characters kept`);
    assert.equal(typeof value, 'string', `attribute ${show(key)} kept as ${typeof value}`);
    assert.ok(
      (value as string).length <= HEALTH_ATTRIBUTE_LIMITS.maxValueLength,
      `attribute ${show(key)} of ${(value as string).length} characters kept`,
    );
    // Half a surrogate pair is not text: JSON answers would carry `\ud83d`, Prometheus a replacement character.
    assert.ok(!LONE_SURROGATE.test(value as string), `attribute ${show(key)} ends in half a character: ${show(value)}`);
  }
}

function assertValidReport(report: HealthReport): void {
  for (const counter of [report.uptimeSec, report.requestCount, report.errorCount]) {
    assert.ok(counter === null || isCounter(counter), `counter ${counter} in a usable report`);
  }
  if (report.requestCount !== null && report.errorCount !== null) assert.ok(report.errorCount <= report.requestCount);
  assertBoundedAttributes(report.attributes);
}

function assertValidState(state: ServiceState): void {
  assert.ok(HEALTH_STATES.includes(state.health), `health ${state.health}`);
  assert.equal(typeof state.ready, 'boolean');
  assert.ok(state.reason.length > 0, 'a state without a reason');
  assert.ok(state.uptimeSec === null || isCounter(state.uptimeSec), `uptime ${state.uptimeSec}`);
  if (state.sample !== null) {
    assert.ok(
      isCounter(state.sample.requestCount) && isCounter(state.sample.errorCount),
      `sample ${show(state.sample)}`,
    );
    assert.ok(state.sample.uptimeSec === null || isCounter(state.sample.uptimeSec), `sample ${show(state.sample)}`);
  }
  assert.ok(isRate(state.errorRate), `error rate ${state.errorRate}`);
  assert.ok(
    state.recentErrorRate === null || isRate(state.recentErrorRate),
    `recent error rate ${state.recentErrorRate}`,
  );
  assert.ok(isCounter(state.consecutiveFailures) && isCounter(state.consecutiveSuccesses));
  assert.ok(state.lastError === null || typeof state.lastError === 'string');
  assertBoundedAttributes(state.healthAttributes);
}

/** The probe over HTTP reads exactly what parseHealthBytes reads from the same bytes and header. */
function assertOutcomeMatches(outcome: ProbeOutcome, served: ServedBody): void {
  if (served.status !== 200) {
    assert.deepEqual(outcome, { kind: 'http_status', status: served.status });
    return;
  }
  if (served.body.byteLength > MAX_BODY_BYTES) {
    assert.equal(outcome.kind, 'invalid_body');
    assert.match(outcome.kind === 'invalid_body' ? outcome.error : '', /exceeds/);
    return;
  }
  const parsed = parseHealthBytes(served.body, served.contentType);
  assert.deepEqual(
    outcome,
    parsed.ok ? { kind: 'answered', report: parsed.report } : { kind: 'invalid_body', error: parsed.error },
  );
}

/** Inputs that once broke a property, checked first on every run: a value cut through a surrogate pair, half a pair sent, invalid UTF-8. */
const FOUND: [ServedBody][] = [
  [
    {
      status: 200,
      contentType: 'application/json',
      body: new TextEncoder().encode(`{"attributes":{"k":"${'v'.repeat(1023)}😀"}}`),
    },
  ],
  [
    {
      status: 200,
      contentType: 'application/json',
      body: new TextEncoder().encode('{"attributes":{"\\ud800":"a\\udfff"}}'),
    },
  ],
  [{ status: 200, contentType: null, body: Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0x7d]) }],
];

test('random /health bodies probed over HTTP and applied to the store always leave a valid state', async (t) => {
  const assertNoUncaught = watchUncaughtErrors(t);
  let current: ServedBody = { status: 200, contentType: null, body: new Uint8Array() };
  const target = await startTarget((_request, response) => {
    response.writeHead(current.status, current.contentType === null ? {} : { 'content-type': current.contentType });
    response.end(current.body);
  });
  t.after(() => target.close());
  // The HTTP prober of a probe thread, built the same way (src/probe/http/http-probe.ts), on an agent this test can close.
  const agent = new Agent({ connections: 1, pipelining: 1 });
  t.after(() => agent.close());
  const probes = { 'http:': createHttpProbe(createUndiciFetch(agent)) };

  const file = join(tempDir(t), 'monitor.db');
  const store = await openStore({ persistence: SqlitePersistence.open(file) });
  const { record } = await store.register(registration('fuzzed', target.url));
  const job = {
    serviceId: 'fuzzed',
    generation: record.generation,
    url: target.url,
    healthPath: '/health',
    timeoutMs: 5000,
    retries: 0,
    slow: false,
  };

  await fc.assert(
    fc.asyncProperty(servedBody, async (served) => {
      current = served;
      const result = await runProbe({ ...job, dueAt: Date.now() }, probes);
      assertOutcomeMatches(result.outcome, served);
      assert.equal(await store.applyResults([result]), 1, 'the result was not applied');
      const stored = store.get('fuzzed');
      assert.ok(stored);
      assertValidState(stored.state);
      // What the API would answer passes the schemas the OpenAPI document publishes.
      serviceViewSchema.parse(serviceView(stored, Date.now(), NO_CONTEXT));
      metricsEntrySchema.parse(metricsEntry(stored, Date.now(), NO_CONTEXT));
    }),
    fuzzParameters(200, FOUND),
  );

  const before = store.get('fuzzed')?.state;
  await store.close();
  const reopened = await openStore({ persistence: SqlitePersistence.open(file) });
  t.after(() => reopened.close());
  // Through JSON, as it was stored: -0 reads back as 0.
  assert.deepEqual(reopened.get('fuzzed')?.state, JSON.parse(JSON.stringify(before)));
  assertNoUncaught();
});

/** The counters of a body that parses to an object: what parseHealthBody must report or refuse. */
function expectedCounters(body: Record<string, unknown>): { invalid: string[]; counters: (number | null)[] } {
  const values = COUNTER_FIELDS.map((field) => body[field] ?? null);
  const invalid = COUNTER_FIELDS.filter((_, i) => values[i] !== null && !isCounter(values[i]));
  return { invalid, counters: values as (number | null)[] };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** String.prototype.toWellFormed (Node 20; not in the TypeScript lib this project targets). */
const wellFormed = (text: string): string => (text as string & { toWellFormed(): string }).toWellFormed();

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

test('parseHealthBody: never throws; counters exact or the bad one named; attributes bounded, taken only from what was sent', () => {
  const text = fc.oneof(
    { weight: 4, arbitrary: healthText },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes).toString('utf8')) },
  );
  fc.assert(
    fc.property(text, contentType, (body, type) => {
      const parsed = parseHealthBody(body, type);
      const claimsJson = (type !== null && /[/+]json\b/i.test(type)) || /^\s*[{[]/.test(body);
      if (!claimsJson || body.trim() === '') {
        assert.deepEqual(parsed, {
          ok: true,
          report: { uptimeSec: null, requestCount: null, errorCount: null, attributes: {} },
        });
        return;
      }
      const object = parseObject(body);
      if (object === null) {
        assert.equal(parsed.ok, false, 'a body that is not a JSON object was accepted');
        return;
      }
      const { invalid, counters } = expectedCounters(object);
      if (invalid.length > 0) {
        assert.ok(
          !parsed.ok && invalid.some((field) => parsed.error.includes(field)),
          `bad ${invalid.join(', ')}: ${show(parsed)}`,
        );
        return;
      }
      const [, requests, errors] = counters;
      if (requests !== null && errors !== null && errors !== undefined && requests !== undefined && errors > requests) {
        assert.ok(!parsed.ok && parsed.error.includes('error_count'), show(parsed));
        return;
      }
      assert.ok(parsed.ok, `a valid body refused: ${show(parsed)}`);
      assertValidReport(parsed.report);
      assert.deepEqual([parsed.report.uptimeSec, parsed.report.requestCount, parsed.report.errorCount], counters);
      // Each kept attribute is a sent one, as well-formed text (half a surrogate pair read as U+FFFD), maybe cut short.
      const sent = new Map(
        Object.entries(isObject(object['attributes']) ? object['attributes'] : {}).map(([key, raw]) => [
          wellFormed(key),
          raw,
        ]),
      );
      for (const [key, value] of Object.entries(parsed.report.attributes)) {
        assert.ok(sent.has(key), `attribute ${show(key)} was not sent`);
        const raw = sent.get(key);
        assert.ok(
          ['string', 'number', 'boolean'].includes(typeof raw),
          `attribute ${show(key)} kept from a ${typeof raw}`,
        );
        assert.ok(wellFormed(String(raw)).startsWith(value), `attribute ${show(key)} is not a prefix of what was sent`);
      }
    }),
    fuzzParameters<[string, string | null]>(3000, [
      [`{"attributes":{"k":"${'v'.repeat(1023)}😀"}}`, 'application/json'],
      ['{"attributes":{"\\ud800":"a\\udfff"}}', 'application/json'],
    ]),
  );
});
