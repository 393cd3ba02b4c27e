// The SVG badges through the real server, over a real monitor probing real targets on 127.0.0.1.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { pino } from 'pino';
import { createApp } from '../../src/api/app.js';
import { BADGE_CACHE_CONTROL, BADGE_CONTENT_TYPE, HEALTH_COLOURS, uptimeColour } from '../../src/api/routes/badges.js';
import { createApiServer } from '../../src/api/server.js';
import { ANY_TARGET, UPTIME_WINDOWS } from '../../src/domain/index.js';
import type { ServiceStore } from '../../src/store/store.js';
import { uptimePercentText } from '../../src/web/uptime-text.js';
import { openStore, registration, TEST_DEFAULTS } from '../helpers/fixtures.js';
import { fuzzParameters } from '../helpers/fuzz.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { json, startTarget, type Target } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** What the badge says, read back from the SVG. */
interface Shown {
  readonly name: string;
  readonly title: string;
  readonly label: string;
  readonly message: string;
  readonly colour: string;
}

let harness: Harness;
let healthyTarget: Target;
let flippingTarget: Target;
let flippingStatus = 200;
let apiUrl: string;

async function serve(t: TestContext | null, store: ServiceStore): Promise<{ url: string; close: () => Promise<void> }> {
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: null,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
  });
  const server: Server = createApiServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  t?.after(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}

let closeApi: () => Promise<void>;

before(async () => {
  healthyTarget = await startTarget((_request, response) =>
    json(response, { uptime_sec: 1, request_count: 10, error_count: 0 }),
  );
  flippingTarget = await startTarget((_request, response) =>
    json(response, { uptime_sec: 1, request_count: 10, error_count: 0 }, flippingStatus),
  );
  harness = await startHarness({ defaults: { pollIntervalMs: 1000, probeTimeoutMs: 500, probeRetries: 0 } });
  const api = await serve(null, harness.store);
  apiUrl = api.url;
  closeApi = api.close;
  await harness.register('web', healthyTarget.url, { pollIntervalSec: 1 });
  await harness.register('flip', flippingTarget.url, { pollIntervalSec: 1 });
  await harness.waitForService('web', (record) => record.state.health === 'healthy', 'healthy');
  await harness.waitForService('flip', (record) => record.state.health === 'healthy', 'healthy');
});

after(async () => {
  await closeApi();
  await harness.stop();
  await healthyTarget.close();
  await flippingTarget.close();
});

async function get(path: string, headers: Record<string, string> = {}, base = apiUrl): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { headers });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

const unescape = (text: string): string =>
  text.replace(
    /&(amp|lt|gt|quot|apos);/g,
    (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '',
  );

function shown(svg: string): Shown {
  const texts = [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((match) => unescape(match[1] ?? ''));
  const fills = [...svg.matchAll(/<rect [^>]*fill="([^"]*)"/g)].map((match) => match[1]);
  assert.equal(texts.length, 4, svg);
  return {
    name: unescape(/aria-label="([^"]*)"/.exec(svg)?.[1] ?? ''),
    title: unescape(/<title>([^<]*)<\/title>/.exec(svg)?.[1] ?? ''),
    label: texts[1] ?? '',
    message: texts[3] ?? '',
    colour: fills[2] ?? '',
  };
}

/** A 200 badge with every header a badge carries; returns what it shows. */
function assertBadge(answer: Answer, what: string): Shown {
  assert.equal(answer.status, 200, `${what}: ${answer.body}`);
  assert.equal(answer.headers.get('content-type'), BADGE_CONTENT_TYPE, what);
  assert.equal(answer.headers.get('cache-control'), BADGE_CACHE_CONTROL, what);
  const hash = createHash('sha256').update(answer.body).digest('base64url');
  assert.equal(answer.headers.get('etag'), `"${hash}"`, `${what}: a strong tag, the hash of the body`);
  assert.match(answer.body, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*role="img"/, what);
  return shown(answer.body);
}

test('a healthy service reads `health | healthy` on green, and its id names the badge', async () => {
  const badge = assertBadge(await get('/badges/web/health.svg'), 'web');
  assert.deepEqual(badge, {
    name: 'web health: healthy',
    title: 'web health: healthy',
    label: 'health',
    message: 'healthy',
    colour: HEALTH_COLOURS.healthy,
  });
});

test('a target answering 500 reads `unhealthy` on orange; the tag changes with the badge, so a stale one gets the new badge', async () => {
  const healthy = await get('/badges/flip/health.svg');
  assert.equal(assertBadge(healthy, 'flip before').message, 'healthy');
  const oldTag = healthy.headers.get('etag') ?? '';
  flippingStatus = 500;
  try {
    await harness.waitForService('flip', (record) => record.state.health === 'unhealthy', 'unhealthy');
    const unhealthy = await get('/badges/flip/health.svg', { 'if-none-match': oldTag });
    const badge = assertBadge(unhealthy, 'flip after');
    assert.equal(badge.message, 'unhealthy');
    assert.equal(badge.colour, HEALTH_COLOURS.unhealthy);
    assert.notEqual(unhealthy.headers.get('etag'), oldTag);
  } finally {
    flippingStatus = 200;
  }
});

test('the uptime badge with window=7d reads a percentage, the one /uptime gives, cut to 2 decimals', async () => {
  const badge = await waitFor(async () => {
    const found = assertBadge(await get('/badges/web/uptime.svg?window=7d'), 'web 7d');
    return found.message === 'no data' ? undefined : found;
  }, 'a probe counted in the hourly aggregate');
  assert.equal(badge.label, 'uptime 7d');
  assert.match(badge.message, /^\d{1,3}(\.\d{1,2})?%$/);
  const uptime = (await (await fetch(`${apiUrl}/services/web/uptime`)).json()) as {
    windows: Record<string, { probes: number; successes: number }>;
  };
  const week = uptime.windows['7d'];
  assert.ok(week && week.probes > 0);
  // Probes keep landing between the two reads; every one of the healthy target's succeeds.
  assert.equal(week.successes, week.probes);
  assert.equal(badge.message, '100%');
  assert.equal(badge.colour, '#4c1');
  assert.equal(badge.name, 'web uptime 7d: 100%');
});

test('every window is accepted; without one the badge is over 24h', async () => {
  for (const window of Object.keys(UPTIME_WINDOWS)) {
    assert.equal(assertBadge(await get(`/badges/web/uptime.svg?window=${window}`), window).label, `uptime ${window}`);
  }
  assert.equal(assertBadge(await get('/badges/web/uptime.svg'), 'no window').label, 'uptime 24h');
});

test('an unknown window answers 400 in the API error shape, naming the values allowed', async () => {
  for (const window of ['1h', '7D', '', '__proto__', '24h%20']) {
    const answer = await get(`/badges/web/uptime.svg?window=${window}`);
    assert.equal(answer.status, 400, window);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
    const body = JSON.parse(answer.body) as { error: { code: string; message: string; details: unknown[] } };
    assert.equal(body.error.code, 'invalid_query');
    assert.match(body.error.message, /24h, 7d, 30d, 1y/);
    assert.deepEqual(body.error.details, [{ field: 'window', message: 'must be one of 24h, 7d, 30d, 1y' }]);
  }
  // The window is checked first: an unknown id with a bad window is still a bad request.
  assert.equal((await get('/badges/nobody/uptime.svg?window=1h')).status, 400);
});

test('an unknown id answers 200 with a grey `unknown` badge, health and uptime alike', async () => {
  const health = assertBadge(await get('/badges/nobody/health.svg'), 'health');
  assert.deepEqual([health.label, health.message, health.colour], ['health', 'unknown', '#9f9f9f']);
  const uptime = assertBadge(await get('/badges/nobody/uptime.svg?window=30d'), 'uptime');
  assert.deepEqual([uptime.label, uptime.message, uptime.colour], ['uptime 30d', 'unknown', '#9f9f9f']);
});

test('a hostile id is escaped where it appears, never markup', async () => {
  const hostile = `<script>alert("x")</script>'&`;
  for (const badge of ['health', 'uptime']) {
    const answer = await get(`/badges/${encodeURIComponent(hostile)}/${badge}.svg`);
    const { name, title } = assertBadge(answer, badge);
    assert.doesNotMatch(answer.body, /<script/);
    assert.match(answer.body, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&apos;&amp;/);
    assert.equal(name, `${hostile} ${badge === 'health' ? 'health' : 'uptime 24h'}: unknown`);
    assert.equal(title, name);
  }
});

test('If-None-Match with the current tag answers 304 with no body, the tag and the caching; any other tag gets the badge', async () => {
  for (const path of ['/badges/web/health.svg', '/badges/nobody/uptime.svg?window=1y']) {
    const first = await get(path);
    const etag = first.headers.get('etag') ?? '';
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await get(path, { 'if-none-match': ifNoneMatch });
      assert.equal(again.status, 304, `${path} with ${ifNoneMatch}`);
      assert.equal(again.body, '');
      assert.equal(again.headers.get('etag'), etag);
      assert.equal(again.headers.get('cache-control'), BADGE_CACHE_CONTROL);
    }
    const other = await get(path, { 'if-none-match': '"not-the-tag"' });
    assert.equal(assertBadge(other, path).message, shown(first.body).message);
  }
});

test('HEAD answers with the status and headers of GET and no body', async () => {
  for (const path of ['/badges/web/health.svg', '/badges/web/uptime.svg?window=7d', '/badges/nobody/health.svg']) {
    const getAnswer = await get(path);
    const head = await fetch(`${apiUrl}${path}`, { method: 'HEAD' });
    assert.equal(head.status, 200, path);
    assert.equal(await head.text(), '');
    for (const name of ['content-type', 'cache-control', 'etag', 'x-content-type-options']) {
      assert.equal(head.headers.get(name), getAnswer.headers.get(name), `${path}: ${name}`);
    }
  }
});

test('a service registered and not yet probed reads `unknown` health and `no data` uptime, on grey', async (t) => {
  const store = await openStore();
  t.after(() => store.close());
  await store.register(registration('fresh'));
  const { url } = await serve(t, store);
  const health = assertBadge(await get('/badges/fresh/health.svg', {}, url), 'health');
  assert.deepEqual([health.message, health.colour], ['unknown', '#9f9f9f']);
  const uptime = assertBadge(await get('/badges/fresh/uptime.svg?window=7d', {}, url), 'uptime');
  assert.deepEqual([uptime.message, uptime.colour], ['no data', '#9f9f9f']);
});

test('property: the percentage is never rounded up, has at most 2 decimals, and its colour follows the exact ratio', () => {
  const counts = fc
    .integer({ min: 1, max: 10_000_000 })
    .chain((probes) => fc.tuple(fc.integer({ min: 0, max: probes }), fc.constant(probes)));
  fc.assert(
    fc.property(counts, ([successes, probes]) => {
      const text = uptimePercentText(successes, probes);
      assert.match(text, /^(100|[1-9]?\d)(\.\d?[1-9])?%$/, text);
      const shownValue = Number(text.slice(0, -1));
      const exact = (successes / probes) * 100;
      assert.ok(shownValue <= exact + 1e-9 && exact - shownValue < 0.01 + 1e-9, `${text} for ${exact}`);
      assert.equal(text === '100%', successes === probes, text);
      const expected =
        exact >= 99.9 - 1e-9 ? '#4c1' : exact >= 99 - 1e-9 ? '#a4a61d' : exact >= 95 - 1e-9 ? '#dfb317' : '#e05d44';
      assert.equal(uptimeColour(successes, probes), expected, `${successes}/${probes}`);
    }),
    fuzzParameters<[[number, number]]>(
      2000,
      [
        [9995, 10_000],
        [999, 1000],
        [99, 100],
        [95, 100],
        [1, 3],
        [0, 1],
      ].map(([successes = 0, probes = 1]) => [[successes, probes]]),
    ),
  );
  assert.equal(uptimePercentText(9995, 10_000), '99.95%');
  assert.equal(uptimePercentText(9990, 10_000), '99.9%');
  assert.equal(uptimePercentText(99_999, 100_000), '99.99%');
  assert.equal(uptimePercentText(1, 3), '33.33%');
  assert.equal(uptimePercentText(0, 5), '0%');
});
