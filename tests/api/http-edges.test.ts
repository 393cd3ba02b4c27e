// HTTP edges through the real server: a trailing slash on every route, HEAD on every GET route, and
// the limit on header lines (counted by the server, not silently cut by Node).
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Hono } from 'hono';
import { pino } from 'pino';
import { createApp } from '../../src/api/app.js';
import { createApiServer, SERVER_LIMITS } from '../../src/api/server.js';
import { ANY_TARGET } from '../../src/domain/index.js';
import { createMonitorMetrics, type MonitorMetrics } from '../../src/metrics/prometheus.js';
import { EventStreamHub } from '../../src/notify/event-stream/event-stream-hub.js';
import type { ServiceStore } from '../../src/store/store.js';
import { openStore, registration, TEST_DEFAULTS } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'a-token-of-sixteen-chars';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const HEADER_LINES = SERVER_LIMITS.maxHeadersCount;

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let app: Hono;
let store: ServiceStore;
let hub: EventStreamHub;
let metrics: MonitorMetrics;
let server: Server;
let port: number;

before(async () => {
  store = await openStore();
  await store.register(registration('svc'));
  hub = new EventStreamHub({ events: store.events, replay: store });
  metrics = createMonitorMetrics({ store, events: store.events, attributeLabels: [], processMetrics: false });
  app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: TOKEN,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
    eventStream: hub,
    prometheus: metrics,
  });
  server = createApiServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await hub.close(100);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  metrics.close();
  await store.close();
});

/** One request; an event stream is cut once its headers have come. */
function send(method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      if (method !== 'HEAD' && response.headers['content-type'] === 'text/event-stream') {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: '' });
        outgoing.destroy();
        return;
      }
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', (error) => (outgoing.destroyed ? undefined : reject(error)));
    outgoing.end();
  });
}

/** The app's route table: each path (`:id` filled in) with the methods registered on it. */
function routeTable(): Map<string, Set<string>> {
  const table = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    const path = route.path.replace(/:id\b/g, 'svc');
    const methods = table.get(path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    table.set(path, methods);
  }
  return table;
}

const errorCode = (answer: Answer): string => (JSON.parse(answer.body) as { error: { code: string } }).error.code;

test('a trailing slash is not found on every route, whatever the method; without it each route answers as before', async () => {
  const table = routeTable();
  assert.ok(table.size >= 8, `the route table has ${table.size} paths`);
  for (const [path, allowed] of table) {
    for (const method of METHODS) {
      const slashed = await send(method, `${path}/`);
      assert.equal(slashed.status, 404, `${method} ${path}/ answered ${slashed.status}: ${slashed.body}`);
      if (method !== 'HEAD') {
        assert.equal(errorCode(slashed), 'not_found', `${method} ${path}/`);
        assert.match(
          slashed.body,
          new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!/)`),
          'the message names the path without the slash',
        );
      }
      const plain = await send(method, path);
      if (allowed.has(method)) {
        assert.ok(
          plain.status !== 404 && plain.status !== 405,
          `${method} ${path} answered ${plain.status}: ${plain.body}`,
        );
      } else {
        assert.equal(plain.status, 405, `${method} ${path}`);
        assert.equal(plain.headers['allow'], [...allowed].sort().join(', '), `${method} ${path}`);
      }
    }
  }
  assert.ok(store.get('svc'), 'nothing was deleted');
});

test('HEAD answers every GET route with the status and headers GET gets, no body, and connects no stream client', async () => {
  const variants = [
    '/metrics?format=prometheus',
    '/metrics?format=nope',
    '/events?last_event_id=x',
    '/services/nope',
    '/services/nope/history',
  ];
  const paths = [...[...routeTable()].filter(([, methods]) => methods.has('GET')).map(([path]) => path), ...variants];
  for (const path of paths) {
    const get = await send('GET', path);
    const head = await send('HEAD', path);
    assert.equal(head.status, get.status, `HEAD ${path}`);
    assert.equal(head.body, '', `HEAD ${path} has no body`);
    const comparable = (headers: IncomingHttpHeaders) =>
      Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'date' && name !== 'content-length'));
    assert.deepEqual(comparable(head.headers), comparable(get.headers), `HEAD ${path} headers`);
  }
  // The GET of /events above was cut; wait for the hub to let it go, then HEAD must not add one.
  await waitFor(() => hub.size === 0, 'the cut GET /events client to leave the hub', 2000);
  await send('HEAD', '/events');
  assert.equal(hub.size, 0, 'HEAD /events connected no stream client');
});

/** A request written as-is: `lines` header lines (Host first, `early` next, `late` last, filler between). */
function rawRequest(options: {
  method: string;
  path: string;
  lines: number;
  early?: string[];
  late?: string[];
  body?: string;
}): Promise<string> {
  const early = ['Host: x', 'Connection: close', ...(options.early ?? [])];
  const late = options.late ?? [];
  const filler = options.lines - early.length - late.length;
  assert.ok(filler >= 0);
  const headers = [...early, ...Array.from({ length: filler }, (_, i) => `X-Filler-${i}: v`), ...late];
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        `${options.method} ${options.path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${options.body ?? ''}`,
      ),
    );
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

const statusOf = (raw: string): number => Number(/^HTTP\/1\.1 (\d{3}) /.exec(raw)?.[1]);

test(`exactly ${HEADER_LINES} header lines are served; ${HEADER_LINES + 1} or more are answered 431 in JSON and the connection is closed`, async () => {
  const atLimit = await rawRequest({ method: 'GET', path: '/healthz', lines: HEADER_LINES });
  assert.equal(statusOf(atLimit), 200, atLimit);
  for (const lines of [HEADER_LINES + 1, HEADER_LINES + 29, 1000]) {
    const over = await rawRequest({ method: 'GET', path: '/healthz', lines });
    assert.equal(statusOf(over), 431, `${lines} lines: ${over}`);
    assert.match(over, /\r\nconnection: close\r\n/i);
    assert.match(over, /\r\nx-content-type-options: nosniff\r\n/i, 'the secure headers, as on every answer');
    const body = JSON.parse(over.slice(over.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'too_many_headers');
    assert.match(body.error.message, new RegExp(`at most ${HEADER_LINES} header lines`));
  }
});

test('a Content-Type or Authorization past the header limit is answered 431, never 415 or 401; at the limit it is read', async () => {
  const body = JSON.stringify({ id: 'late', url: 'http://127.0.0.1:8081' });
  const framing = `Content-Length: ${Buffer.byteLength(body)}`;
  const register = (lines: number, early: string[], late: string[]) =>
    rawRequest({ method: 'POST', path: '/register', lines, early: [framing, ...early], late, body });

  // Past the limit, and far past it (where Node itself stops collecting lines).
  for (const lines of [HEADER_LINES + 1, 2 * HEADER_LINES]) {
    const lateType = await register(lines, [`Authorization: Bearer ${TOKEN}`], ['Content-Type: application/json']);
    assert.equal(statusOf(lateType), 431, `late Content-Type, ${lines} lines: ${lateType}`);
    const lateAuth = await register(lines, ['Content-Type: application/json'], [`Authorization: Bearer ${TOKEN}`]);
    assert.equal(statusOf(lateAuth), 431, `late Authorization, ${lines} lines: ${lateAuth}`);
  }
  assert.equal(store.get('late'), undefined, 'nothing registered');

  const bothLate = await register(
    HEADER_LINES,
    [],
    ['Content-Type: application/json', `Authorization: Bearer ${TOKEN}`],
  );
  assert.equal(statusOf(bothLate), 201, bothLate);
  assert.ok(store.get('late'));
});
