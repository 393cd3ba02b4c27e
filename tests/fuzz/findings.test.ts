// What the fuzz tests found, pinned with the exact answer each input now gets: every one of these was
// accepted (or answered in zod's generic words) before its fix. The fuzz tests check the properties;
// this table checks the wording a client reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../../src/api/app.js';
import type { ErrorBody } from '../../src/api/errors.js';
import { ANY_TARGET, parseHealthBody } from '../../src/domain/index.js';
import { openStore, TEST_DEFAULTS } from '../helpers/fixtures.js';

async function setup() {
  const store = await openStore();
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: null,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
  });
  return { app, store };
}

const base = { id: 'svc', url: 'http://h:9001' };

test('registrations the fuzzer got accepted are refused, naming the field and the rule', async (t) => {
  const cases: { name: string; body: string; field: string; message: RegExp }[] = [
    {
      name: 'port 0',
      body: JSON.stringify({ ...base, url: 'http://h:0' }),
      field: 'url',
      message: /port 0 cannot be connected to/,
    },
    {
      name: 'webhook on port 0',
      body: JSON.stringify({ ...base, webhook_url: 'http://h:0/hook' }),
      field: 'webhook_url',
      message: /port 0 cannot be connected to/,
    },
    {
      name: 'port above 65535',
      body: JSON.stringify({ ...base, url: 'http://h:65536' }),
      field: 'url',
      message: /port 65536 is out of range/,
    },
    {
      name: 'bare ? (the health path would become the query)',
      body: JSON.stringify({ ...base, url: 'http://h:9001?' }),
      field: 'url',
      message: /query or fragment/,
    },
    {
      name: 'bare # (the health path would become the fragment)',
      body: JSON.stringify({ ...base, url: 'http://h:9001#' }),
      field: 'url',
      message: /query or fragment/,
    },
    {
      name: 'trailing space',
      body: JSON.stringify({ ...base, url: 'http://h:9001/ ' }),
      field: 'url',
      message: /spaces or control characters/,
    },
    {
      name: 'newline in the host',
      body: JSON.stringify({ ...base, url: 'http://h\n:9001' }),
      field: 'url',
      message: /spaces or control characters/,
    },
    {
      name: 'tab in a webhook URL',
      body: JSON.stringify({ ...base, webhook_url: 'http://h:9001/hook\t' }),
      field: 'webhook_url',
      message: /spaces or control characters/,
    },
    { name: 'id ..', body: JSON.stringify({ ...base, id: '..' }), field: 'id', message: /must not be \. or \.\./ },
    { name: 'id .', body: JSON.stringify({ ...base, id: '.' }), field: 'id', message: /must not be \. or \.\./ },
    {
      name: 'NUL in health_path',
      body: JSON.stringify({ ...base, health_path: '/health\u0000' }),
      field: 'health_path',
      message: /control characters/,
    },
    {
      name: 'DEL in health_path',
      body: JSON.stringify({ ...base, health_path: '/\u007f' }),
      field: 'health_path',
      message: /control characters/,
    },
    // JSON.stringify cannot write an own "__proto__" key: the body is written out.
    {
      name: '__proto__ attribute',
      body: '{"id":"svc","url":"http://h:9001","attributes":{"__proto__":"x","env":"prod"}}',
      field: 'attributes.__proto__',
      message: /reserved/,
    },
  ];
  for (const { name, body, field, message } of cases) {
    await t.test(name, async () => {
      const { app, store } = await setup();
      const response = await app.request('/register', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(response.status, 400);
      const { error } = (await response.json()) as ErrorBody;
      assert.equal(error.code, 'invalid_registration');
      assert.deepEqual(
        error.details.map((detail) => detail.field),
        [field],
      );
      assert.match(error.details[0]?.message ?? '', message);
      assert.equal(store.size, 0);
    });
  }
});

test('a __proto__ attribute is named alongside the other bad fields', async () => {
  const { app } = await setup();
  const body = '{"id":"","url":"http://h:9001","attributes":{"__proto__":{"polluted":"yes"}}}';
  const response = await app.request('/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const { error } = (await response.json()) as ErrorBody;
  assert.deepEqual(error.details.map((detail) => detail.field).sort(), ['attributes.__proto__', 'id']);
  assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
});

test('a history limit too long for a number gets the rule, not zod\'s "received Infinity"', async () => {
  const { app, store } = await setup();
  await store.register({ ...base, attributes: {} });
  const response = await app.request(`/services/svc/history?limit=${'9'.repeat(400)}`);
  assert.equal(response.status, 400);
  const { error } = (await response.json()) as ErrorBody;
  assert.deepEqual(error.details, [{ field: 'limit', message: 'must be a whole number from 1 to 1000' }]);
});

test('/health attribute values are well-formed text: never cut through a surrogate pair, half a pair sent reads as U+FFFD', () => {
  const cut = parseHealthBody(JSON.stringify({ attributes: { k: `${'v'.repeat(1023)}😀` } }), 'application/json');
  assert.ok(cut.ok);
  assert.equal(cut.report.attributes['k'], 'v'.repeat(1023));
  const lone = parseHealthBody('{"attributes":{"\\ud800":"a\\udfff","pair":"\\ud83d\\ude00"}}', 'application/json');
  assert.ok(lone.ok);
  assert.deepEqual(lone.report.attributes, { '\ufffd': 'a\ufffd', pair: '😀' });
});
