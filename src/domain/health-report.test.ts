import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEALTH_ATTRIBUTE_LIMITS, parseHealthBody, parseHealthBytes } from './health-report.js';

const JSON_TYPE = 'application/json';

test('valid /health bodies', async (t) => {
  const cases: {
    name: string;
    text: string;
    type: string | null;
    counters: [number | null, number | null, number | null];
  }[] = [
    {
      name: 'reference body',
      text: '{"uptime_sec":5,"request_count":10,"error_count":2,"attributes":{"v":"1"}}',
      type: JSON_TYPE,
      counters: [5, 10, 2],
    },
    {
      name: 'JSON labelled text/plain, as Go writes it',
      text: '{"uptime_sec":5,"request_count":10,"error_count":2}\n',
      type: 'text/plain; charset=utf-8',
      counters: [5, 10, 2],
    },
    { name: 'empty body', text: '', type: JSON_TYPE, counters: [null, null, null] },
    { name: 'plain OK', text: 'OK', type: 'text/plain', counters: [null, null, null] },
    { name: 'object without counters', text: '{"status":"up"}', type: JSON_TYPE, counters: [null, null, null] },
    { name: 'null counters are absent', text: '{"request_count":null}', type: JSON_TYPE, counters: [null, null, null] },
    {
      name: 'error_count equal to request_count',
      text: '{"request_count":3,"error_count":3}',
      type: JSON_TYPE,
      counters: [null, 3, 3],
    },
  ];
  for (const { name, text, type, counters } of cases) {
    await t.test(name, () => {
      const parsed = parseHealthBody(text, type);
      assert.ok(parsed.ok, JSON.stringify(parsed));
      assert.deepEqual([parsed.report.uptimeSec, parsed.report.requestCount, parsed.report.errorCount], counters);
    });
  }
});

test('invalid /health bodies name the problem', async (t) => {
  const cases: { name: string; text: string; type: string | null; error: RegExp }[] = [
    { name: 'malformed JSON', text: '{"uptime_sec": 5,', type: JSON_TYPE, error: /not valid JSON/ },
    { name: 'malformed JSON-looking text/plain', text: '{oops', type: 'text/plain', error: /not valid JSON/ },
    { name: 'JSON array', text: '[1,2]', type: JSON_TYPE, error: /not an object/ },
    { name: 'JSON string claimed as JSON', text: '"fine"', type: JSON_TYPE, error: /not an object/ },
    { name: 'negative counter', text: '{"request_count":-1}', type: JSON_TYPE, error: /request_count is negative/ },
    {
      name: 'fractional counter',
      text: '{"error_count":1.5}',
      type: JSON_TYPE,
      error: /error_count is not an integer/,
    },
    { name: 'string counter', text: '{"uptime_sec":"5"}', type: JSON_TYPE, error: /uptime_sec is not an integer/ },
    {
      name: 'errors above requests',
      text: '{"request_count":1,"error_count":2}',
      type: JSON_TYPE,
      error: /error_count is greater than request_count/,
    },
  ];
  for (const { name, text, type, error } of cases) {
    await t.test(name, () => {
      const parsed = parseHealthBody(text, type);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.error, error);
    });
  }
});

test('health attributes are coerced to strings and bounded', () => {
  const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v']));
  const parsed = parseHealthBody(
    JSON.stringify({ attributes: { ...many, n: 1, b: true, nested: { x: 1 }, long: 'x'.repeat(5000) } }),
    JSON_TYPE,
  );
  assert.ok(parsed.ok);
  assert.equal(Object.keys(parsed.report.attributes).length, HEALTH_ATTRIBUTE_LIMITS.maxEntries);
  const few = parseHealthBody(
    JSON.stringify({ attributes: { n: 1, b: true, nested: { x: 1 }, long: 'x'.repeat(5000) } }),
    JSON_TYPE,
  );
  assert.ok(few.ok);
  assert.deepEqual(Object.keys(few.report.attributes), ['n', 'b', 'long']);
  assert.equal(few.report.attributes['n'], '1');
  assert.equal(few.report.attributes['long']?.length, HEALTH_ATTRIBUTE_LIMITS.maxValueLength);
});

test('10,000 attributes: the first 64 in body order are kept', () => {
  const attributes = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`a${i}`, `v${i}`]));
  const parsed = parseHealthBody(JSON.stringify({ attributes }), JSON_TYPE);
  assert.ok(parsed.ok);
  assert.deepEqual(
    Object.keys(parsed.report.attributes),
    Array.from({ length: HEALTH_ATTRIBUTE_LIMITS.maxEntries }, (_, i) => `a${i}`),
  );
});

test('a 1 MB value is cut to 1024 characters; a key over 128 is skipped, not cut (cut keys could collide)', () => {
  const body = { attributes: { big: 'x'.repeat(1_000_000), ['k'.repeat(129)]: 'dropped', ['k'.repeat(128)]: 'kept' } };
  const parsed = parseHealthBody(JSON.stringify(body), JSON_TYPE);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.report.attributes, {
    big: 'x'.repeat(HEALTH_ATTRIBUTE_LIMITS.maxValueLength),
    ['k'.repeat(128)]: 'kept',
  });
});

test('keys and values together stop at 16 Ki characters, whatever the count', () => {
  // 60 values of 16,000 characters: each is cut to 1024, and only 15 such attributes fit.
  const attributes = Object.fromEntries(
    Array.from({ length: 60 }, (_, i) => [`w${String(i).padStart(2, '0')}`, 'y'.repeat(16_000)]),
  );
  const parsed = parseHealthBody(JSON.stringify({ attributes }), JSON_TYPE);
  assert.ok(parsed.ok);
  const kept = Object.entries(parsed.report.attributes);
  const total = kept.reduce((sum, [key, value]) => sum + key.length + value.length, 0);
  assert.equal(
    kept.length,
    Math.floor(HEALTH_ATTRIBUTE_LIMITS.maxTotalLength / (3 + HEALTH_ATTRIBUTE_LIMITS.maxValueLength)),
  );
  assert.ok(total <= HEALTH_ATTRIBUTE_LIMITS.maxTotalLength);
  assert.deepEqual(
    kept.map(([key]) => key),
    Object.keys(attributes).slice(0, kept.length),
    'the first ones, in body order',
  );
});

test('values that are not strings: numbers and booleans become strings, the rest is skipped without counting', () => {
  const skipped = Object.fromEntries(
    Array.from({ length: 100 }, (_, i) => [`s${i}`, i % 2 === 0 ? null : { nested: [1] }]),
  );
  const parsed = parseHealthBody(
    JSON.stringify({ attributes: { ...skipped, n: 1e21, f: 0.5, b: false, list: ['a'] } }),
    JSON_TYPE,
  );
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.report.attributes, { n: '1e+21', f: '0.5', b: 'false' });
});

test('a value is never cut inside a surrogate pair', () => {
  // An emoji is two UTF-16 code units; one straddling the limit is dropped whole, not halved.
  const value = `${'x'.repeat(HEALTH_ATTRIBUTE_LIMITS.maxValueLength - 1)}😀`;
  const parsed = parseHealthBody(JSON.stringify({ attributes: { v: value } }), JSON_TYPE);
  assert.ok(parsed.ok);
  assert.equal(parsed.report.attributes['v'], 'x'.repeat(HEALTH_ATTRIBUTE_LIMITS.maxValueLength - 1));
});

test('an attribute named "__proto__" is an ordinary attribute: kept, and no prototype changes', () => {
  const parsed = parseHealthBody('{"attributes":{"__proto__":"x","polluted":"no"}}', JSON_TYPE);
  assert.ok(parsed.ok);
  assert.ok(Object.hasOwn(parsed.report.attributes, '__proto__'));
  assert.equal(parsed.report.attributes['__proto__'], 'x');
  assert.equal(Object.getPrototypeOf(parsed.report.attributes), Object.prototype);
  assert.equal(JSON.stringify(parsed.report.attributes), '{"__proto__":"x","polluted":"no"}');
});

test('bodies as bytes: JSON must be UTF-8; a plain-text body may be anything; a byte-order mark is dropped', async (t) => {
  const bytes = (...parts: (string | number[])[]): Uint8Array =>
    Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));
  await t.test('invalid UTF-8 in JSON is an invalid body', () => {
    const parsed = parseHealthBytes(bytes('{"attributes":{"v":"', [0xc3, 0x28], '"}}'), JSON_TYPE);
    assert.deepEqual(parsed, { ok: false, error: 'body is not valid UTF-8' });
  });
  await t.test('even when it is labelled text/plain, as Go labels JSON', () => {
    const parsed = parseHealthBytes(bytes('{"v":"', [0xff], '"}'), 'text/plain; charset=utf-8');
    assert.deepEqual(parsed, { ok: false, error: 'body is not valid UTF-8' });
  });
  await t.test('a plain-text body in Latin-1 is still a healthy answer: its content is never read', () => {
    const parsed = parseHealthBytes(bytes('OK ', [0xe9]), 'text/plain; charset=iso-8859-1');
    assert.ok(parsed.ok);
  });
  await t.test('valid multi-byte UTF-8 is kept as sent', () => {
    const parsed = parseHealthBytes(bytes('{"attributes":{"region":"Zürich 東京"}}'), JSON_TYPE);
    assert.ok(parsed.ok);
    assert.equal(parsed.report.attributes['region'], 'Zürich 東京');
  });
  await t.test('a leading byte-order mark is dropped before parsing', () => {
    const parsed = parseHealthBytes(bytes([0xef, 0xbb, 0xbf], '{"request_count":3}'), JSON_TYPE);
    assert.ok(parsed.ok);
    assert.equal(parsed.report.requestCount, 3);
  });
});
