// The monitor's HTTP API over a given store, served by @hono/node-server on 127.0.0.1, port 0, and
// closed after the test: for tests that need real requests (acknowledgements, the event stream).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { createApp } from '../../src/api/app.js';
import { ANY_TARGET } from '../../src/domain/index.js';
import { EventStreamHub, type EventStreamHubOptions } from '../../src/notify/event-stream/event-stream-hub.js';
import type { EventReplay } from '../../src/notify/event-stream/stream-client.js';
import type { ServiceStore } from '../../src/store/store.js';
import { TEST_DEFAULTS } from './fixtures.js';

export interface ApiServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  readonly hub: EventStreamHub;
}

/** Serves the API with an event stream; `replay` defaults to the store (what main.ts wires). */
export async function serveApi(
  t: TestContext,
  store: ServiceStore,
  options: { replay?: EventReplay; hub?: Partial<Omit<EventStreamHubOptions, 'events' | 'replay'>> } = {},
): Promise<ApiServer> {
  const hub = new EventStreamHub({ events: store.events, replay: options.replay ?? store, ...options.hub });
  const app = createApp({
    store,
    defaults: TEST_DEFAULTS,
    registerToken: null,
    targetPolicy: ANY_TARGET,
    logger: pino({ level: 'silent' }),
    eventStream: hub,
  });
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started as Server),
    ) as Server;
  });
  t.after(async () => {
    await hub.close(100);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hub };
}

/** POST /register as a service would (a target nothing listens on, polled hourly); resolves the status and body. */
export async function postRegistration(apiUrl: string, id: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${apiUrl}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, url: `http://127.0.0.1:19009/${id}`, attributes: {}, poll_interval_sec: 3600 }),
  });
  return { status: response.status, body: await response.text() };
}
