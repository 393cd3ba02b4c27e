// REGISTER_TOKEN in a spawned monitor: the registry's writes need the bearer token, its reads do not.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildOpenApiDocument } from '../../src/api/routes/openapi.js';
import { spawnMonitor, type Spawned } from '../helpers/processes.js';

const TOKEN = 'a-register-token-for-tests';
let monitor: Spawned & { url: string };

before(async () => {
  monitor = await spawnMonitor([], { REGISTER_TOKEN: TOKEN });
});
after(() => monitor.stop());

const registration = JSON.stringify({ id: 'svc', url: 'http://127.0.0.1:8081' });

function register(authorization?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers['authorization'] = authorization;
  return fetch(`${monitor.url}/register`, { method: 'POST', headers, body: registration });
}

function deregister(authorization?: string): Promise<Response> {
  return fetch(`${monitor.url}/services/svc`, {
    method: 'DELETE',
    headers: authorization === undefined ? {} : { authorization },
  });
}

const REFUSED: readonly [string, string | undefined][] = [
  ['no header', undefined],
  ['an empty header', ''],
  ['another scheme', `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`],
  ['the token without a scheme', TOKEN],
  ['the scheme without a token', 'Bearer '],
  ['a wrong token of the same length', `Bearer ${TOKEN.replace(/.$/, 'X')}`],
  ['a shorter token', `Bearer ${TOKEN.slice(0, -1)}`],
  ['a longer token', `Bearer ${TOKEN}x`],
  ['the token followed by more text', `Bearer ${TOKEN} x`],
];

async function assertUnauthorized(response: Response, what: string): Promise<void> {
  assert.equal(response.status, 401, what);
  assert.equal(response.headers.get('www-authenticate'), 'Bearer', what);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/, what);
  const body = (await response.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'unauthorized', what);
  assert.match(body.error.message, /Authorization: Bearer <token>/, what);
}

test('POST /register without the right bearer token is 401 JSON with WWW-Authenticate, and nothing is stored', async () => {
  for (const [what, header] of REFUSED) await assertUnauthorized(await register(header), what);
  assert.deepEqual(await (await fetch(`${monitor.url}/services`)).json(), []);
});

test('the right token registers and deregisters; the scheme is case-insensitive', async () => {
  assert.equal((await register(`Bearer ${TOKEN}`)).status, 201);
  for (const [what, header] of REFUSED) await assertUnauthorized(await deregister(header), `DELETE with ${what}`);
  assert.equal((await fetch(`${monitor.url}/services/svc`)).status, 200, 'still registered');
  assert.equal((await deregister(`bearer ${TOKEN}`)).status, 204);
  assert.equal((await fetch(`${monitor.url}/services/svc`)).status, 404);
});

test('the token is checked before the content type and the JSON: an unauthenticated client learns nothing about the payload rules', async () => {
  const response = await fetch(`${monitor.url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'not json',
  });
  await assertUnauthorized(response, 'a non-JSON body without a token');
});

test('exactly the operations the OpenAPI document marks as needing the token need it; every other one is open', async () => {
  const document = buildOpenApiDocument();
  const guarded: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item as Record<string, { security?: unknown[] }>)) {
      if (operation.security?.length) guarded.push(`${method.toUpperCase()} ${path}`);
      else if (method === 'get' && !path.includes('{') && path !== '/events') {
        assert.equal((await fetch(`${monitor.url}${path}`)).status, 200, `${path} is open`);
      }
    }
  }
  assert.deepEqual(guarded.sort(), [
    'DELETE /maintenance',
    'DELETE /services/{id}',
    'DELETE /services/{id}/maintenance',
    'POST /maintenance',
    'POST /register',
    'POST /services/{id}/maintenance',
  ]);
});
