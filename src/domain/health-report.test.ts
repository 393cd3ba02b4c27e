import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEALTH_ATTRIBUTE_LIMITS, parseHealthBody } from './health-report.js';

const JSON_TYPE = 'application/json';

test('valid /health bodies', async (t) => {
  const cases: { name: string; text: string; type: string | null; counters: [number | null, number | null, number | null] }[] = [
    { name: 'reference body', text: '{"uptime_sec":5,"request_count":10,"error_count":2,"attributes":{"v":"1"}}', type: JSON_TYPE, counters: [5, 10, 2] },
    { name: 'JSON labelled text/plain, as Go writes it', text: '{"uptime_sec":5,"request_count":10,"error_count":2}\n', type: 'text/plain; charset=utf-8', counters: [5, 10, 2] },
    { name: 'empty body', text: '', type: JSON_TYPE, counters: [null, null, null] },
    { name: 'plain OK', text: 'OK', type: 'text/plain', counters: [null, null, null] },
    { name: 'object without counters', text: '{"status":"up"}', type: JSON_TYPE, counters: [null, null, null] },
    { name: 'null counters are absent', text: '{"request_count":null}', type: JSON_TYPE, counters: [null, null, null] },
    { name: 'error_count equal to request_count', text: '{"request_count":3,"error_count":3}', type: JSON_TYPE, counters: [null, 3, 3] },
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
    { name: 'fractional counter', text: '{"error_count":1.5}', type: JSON_TYPE, error: /error_count is not an integer/ },
    { name: 'string counter', text: '{"uptime_sec":"5"}', type: JSON_TYPE, error: /uptime_sec is not an integer/ },
    { name: 'errors above requests', text: '{"request_count":1,"error_count":2}', type: JSON_TYPE, error: /error_count is greater than request_count/ },
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
  const few = parseHealthBody(JSON.stringify({ attributes: { n: 1, b: true, nested: { x: 1 }, long: 'x'.repeat(5000) } }), JSON_TYPE);
  assert.ok(few.ok);
  assert.deepEqual(Object.keys(few.report.attributes), ['n', 'b', 'long']);
  assert.equal(few.report.attributes['n'], '1');
  assert.equal(few.report.attributes['long']?.length, HEALTH_ATTRIBUTE_LIMITS.maxValueLength);
});
