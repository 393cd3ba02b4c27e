// The documented POST /register body against the validator: same fields, and the same limits, found
// by feeding the validator the documented boundaries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEST_DEFAULTS } from '../../tests/helpers/fixtures.js';
import { REGISTRATION_LIMITS, registrationBody, registrationSchema } from './registration-schema.js';
import { buildOpenApiDocument } from './routes/openapi.js';

interface PropertySchema {
  readonly type: string | readonly string[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
  readonly maxProperties?: number;
}
interface ObjectSchema {
  readonly properties: Readonly<Record<string, PropertySchema>>;
  readonly required: readonly string[];
  readonly additionalProperties: boolean;
}

const document = buildOpenApiDocument();
const documented = document.components?.schemas?.['Registration'] as ObjectSchema;
const validator = registrationSchema(TEST_DEFAULTS);

/** A body every field test starts from; its interval is the longest so any allowed timeout_ms fits it. */
const BASE = { id: 'svc1', url: 'http://127.0.0.1:9001', poll_interval_sec: REGISTRATION_LIMITS.maxPollIntervalSec };

/** The latency limit must be below the timeout: its bounds are tried under the longest timeout. */
const accepts = (field: string, value: unknown): boolean =>
  validator.safeParse({
    ...BASE,
    ...(field === 'degraded_latency_ms' ? { timeout_ms: REGISTRATION_LIMITS.maxTimeoutMs } : {}),
    [field]: value,
  }).success;
const typesOf = (property: PropertySchema): readonly string[] =>
  typeof property.type === 'string' ? [property.type] : property.type;

test('the validator of POST /register wraps the very object the document describes', () => {
  assert.equal(validator.in, registrationBody);
  const body = document.paths?.['/register']?.post?.requestBody as { content: Record<string, { schema: unknown }> };
  assert.deepEqual(body.content['application/json']?.schema, { $ref: '#/components/schemas/Registration' });
});

test('the documented body has exactly the validator fields, in snake_case, and no others', () => {
  assert.deepEqual(Object.keys(documented.properties).sort(), Object.keys(registrationBody.shape).sort());
  assert.ok('poll_interval_sec' in documented.properties, 'the wire names, not the camelCase ones');
  assert.equal(documented.additionalProperties, false);
  const required = Object.entries(registrationBody.shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([name]) => name);
  assert.deepEqual([...documented.required].sort(), required.sort());
  assert.deepEqual(required.sort(), ['id', 'url']);
  assert.equal(validator.safeParse({ ...BASE, not_a_field: 1 }).success, false);
});

test('every documented numeric bound is the bound the validator enforces', () => {
  const numeric = Object.entries(documented.properties).filter(([, p]) =>
    typesOf(p).some((t) => t === 'integer' || t === 'number'),
  );
  assert.deepEqual(numeric.map(([name]) => name).sort(), [
    'degraded_latency_ms',
    'deregister_after_sec',
    'error_rate_threshold',
    'failure_threshold',
    'poll_interval_sec',
    'success_threshold',
    'timeout_ms',
  ]);
  for (const [field, property] of numeric) {
    const step = typesOf(property).includes('integer') ? 1 : 0.001;
    const lowest =
      property.minimum ?? (property.exclusiveMinimum !== undefined ? property.exclusiveMinimum + step : undefined);
    assert.ok(lowest !== undefined && property.maximum !== undefined, `${field} documents both bounds`);
    assert.ok(accepts(field, lowest), `${field} accepts its documented lowest ${lowest}`);
    assert.ok(!accepts(field, lowest - step), `${field} rejects ${lowest - step}`);
    assert.ok(accepts(field, property.maximum), `${field} accepts its documented maximum ${property.maximum}`);
    assert.ok(!accepts(field, property.maximum + step), `${field} rejects ${property.maximum + step}`);
    if (step === 1)
      assert.ok(!accepts(field, lowest + 0.5), `${field} is documented as an integer and rejects fractions`);
    assert.ok(
      typesOf(property).includes('null') && accepts(field, null),
      `${field}: null is documented and taken as absent`,
    );
  }
});

test('the documented string and map limits are the validator limits', () => {
  const { id, url, attributes, health_path: healthPath } = documented.properties;
  assert.ok(id?.pattern && url?.maxLength && attributes?.maxProperties && healthPath?.pattern && healthPath.maxLength);
  const idPattern = new RegExp(id.pattern);
  for (const candidate of ['svc-1.a_b:c', 'a'.repeat(128), 'a'.repeat(129), 'svc 1', 'a/b', '']) {
    assert.equal(accepts('id', candidate), idPattern.test(candidate), `id ${JSON.stringify(candidate)}`);
  }
  assert.equal(url.maxLength, REGISTRATION_LIMITS.maxUrlLength);
  assert.ok(!accepts('url', `http://127.0.0.1:9001/${'a'.repeat(url.maxLength)}`));
  const entries = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
  assert.ok(accepts('attributes', entries(attributes.maxProperties)));
  assert.ok(!accepts('attributes', entries(attributes.maxProperties + 1)));
  const healthPathPattern = new RegExp(healthPath.pattern);
  for (const candidate of ['/health', '/status?full=1', 'health', '/a b', '/a#b']) {
    assert.equal(
      accepts('health_path', candidate),
      healthPathPattern.test(candidate),
      `health_path ${JSON.stringify(candidate)}`,
    );
  }
  assert.ok(!accepts('health_path', `/${'a'.repeat(healthPath.maxLength)}`));
});
