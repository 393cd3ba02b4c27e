// The status page follows /events: a transition, a registration and a deletion show without a
// reload, and a cut connection shows "reconnecting", then catches up on what it missed.
import assert from 'node:assert/strict';
import { createServer, connect, type Socket, type AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { register } from '../helpers/monitor-requests.js';
import { spawnMonitor } from '../helpers/processes.js';
import { json, startTarget } from '../helpers/target.js';

const HEALTHY_BODY = { uptime_sec: 1, request_count: 10, error_count: 0 };
/** The bound for a transition to show on an open page. */
const LIVE_WITHIN_MS = 2000;

async function setUp(t: TestContext) {
  let status = 200;
  const target = await startTarget((_request, response) => json(response, HEALTHY_BODY, status));
  t.after(() => target.close());
  const monitor = await spawnMonitor(['--poll-interval-ms', '1000']);
  t.after(() => monitor.stop());
  const add = async (id: string): Promise<void> => {
    const response = await register(monitor.url, { id, url: target.url, poll_interval_sec: 1 });
    assert.equal(response.status, 201, await response.text());
  };
  return { monitor, add, setStatus: (next: number) => (status = next) };
}

const withHealth = (id: string, health: string) => `tr[data-service="${id}"] .health[data-health="${health}"]`;

test('a flip to 500 turns the row unhealthy within 2 s, and registrations and deletions show, all without a reload', async (t) => {
  const { monitor, add, setStatus } = await setUp(t);
  await add('web');
  const browser = await launchBrowser(t);
  const { page, errors } = await openPage(browser);
  await page.goto(`${monitor.url}/`);
  await page.waitForSelector(withHealth('web', 'healthy'));
  // A marker that a reload would wipe out.
  await page.evaluate(() => ((globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true));

  setStatus(500);
  const flippedAt = Date.now();
  // The monitor needs its failure threshold of probes at 1 s; the page then has 2 s from the event.
  await page.waitForSelector(withHealth('web', 'unhealthy'), { timeout: 10_000 });
  const events = await fetch(`${monitor.url}/services/web/history`).then(
    (r) => r.json() as Promise<{ transitions: { at: string }[] }>,
  );
  const recordedAt = Date.parse(events.transitions[0]?.at ?? '');
  assert.ok(
    Date.now() - recordedAt <= LIVE_WITHIN_MS + 500,
    `shown ${Date.now() - recordedAt} ms after the transition`,
  );
  assert.ok(Date.now() - flippedAt < 10_000);

  await add('late-arrival');
  await page.waitForSelector('tr[data-service="late-arrival"]', { timeout: 5000 });
  const deleted = await fetch(`${monitor.url}/services/web`, { method: 'DELETE' });
  assert.equal(deleted.status, 204);
  await page.waitForSelector('tr[data-service="web"]', { state: 'detached', timeout: 5000 });
  assert.equal(
    await page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument),
    true,
    'the page reloaded',
  );
  assert.deepEqual(errors, []);
});

/** A TCP relay to the monitor whose connections can be cut and new ones refused, as a flaky network would. */
async function startRelay(t: TestContext, port: number) {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server = createServer((incoming) => {
    if (refusing) {
      incoming.destroy();
      return;
    }
    const outgoing = connect(port, '127.0.0.1');
    for (const socket of [incoming, outgoing]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    incoming.pipe(outgoing).pipe(incoming);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut(): void {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    restore(): void {
      refusing = false;
    },
  };
}

test('the connection to /events is cut: "reconnecting" shows, then the page catches up on what it missed', async (t) => {
  const { monitor, add, setStatus } = await setUp(t);
  await add('api');
  const relay = await startRelay(t, Number(new URL(monitor.url).port));
  const browser = await launchBrowser(t);
  const { page } = await openPage(browser);
  await page.goto(`${relay.url}/`);
  await page.waitForSelector(withHealth('api', 'healthy'));

  relay.cut();
  await page.waitForSelector('#connection', { state: 'visible', timeout: 10_000 });
  assert.match((await page.textContent('#connection')) ?? '', /Reconnecting/);
  // Missed while away: a transition and a registration.
  setStatus(500);
  await add('while-away');
  const history = async () =>
    ((await (await fetch(`${monitor.url}/services/api/history`)).json()) as { transitions: unknown[] }).transitions
      .length;
  for (let i = 0; i < 100 && (await history()) < 2; i++) await new Promise((resolve) => setTimeout(resolve, 100));

  relay.restore();
  await page.waitForSelector('#connection', { state: 'hidden', timeout: 15_000 });
  await page.waitForSelector(withHealth('api', 'unhealthy'), { timeout: 5000 });
  await page.waitForSelector('tr[data-service="while-away"]', { timeout: 5000 });
});
