// What both example services share: a /health server, simulated traffic, self-registration with backoff.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TrafficCounters } from './counters.js';
import type { ServiceOptions } from './options.js';

export interface ExampleServiceSpec {
  readonly attributes: Record<string, string>;
  /** Called for every simulated request: the chance (0-1) that it fails right now. */
  readonly errorChance: () => number;
  /** Extra attributes reported by /health, read at each probe. */
  readonly liveAttributes?: () => Record<string, string>;
}

const TRAFFIC_TICK_MS = 50;
const MAX_BACKOFF_MS = 10_000;

function log(id: string, message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${id}: ${message}\n`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries until the monitor answers: unlike the reference, starting before the monitor is fine. */
async function registerWithBackoff(
  options: ServiceOptions,
  url: string,
  attributes: Record<string, string>,
): Promise<void> {
  const body = JSON.stringify({ id: options.id, url, attributes, poll_interval_sec: options.pollIntervalSec });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.registerToken) headers['authorization'] = `Bearer ${options.registerToken}`;
  for (let delay = 500; ; delay = Math.min(delay * 2, MAX_BACKOFF_MS)) {
    try {
      const response = await fetch(`${options.monitorUrl}/register`, { method: 'POST', headers, body });
      if (response.ok) {
        log(options.id, `registered with ${options.monitorUrl} as ${url} (HTTP ${response.status})`);
        return;
      }
      const text = await response.text();
      if (response.status < 500)
        throw new Error(`the monitor refused the registration: HTTP ${response.status} ${text}`);
      log(options.id, `monitor answered HTTP ${response.status}; retrying in ${delay} ms`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('the monitor refused')) throw error;
      log(options.id, `monitor not reachable at ${options.monitorUrl}; retrying in ${delay} ms`);
    }
    await sleep(delay);
  }
}

export async function runExampleService(options: ServiceOptions, spec: ExampleServiceSpec): Promise<Server> {
  const counters = new TrafficCounters();
  const traffic = setInterval(() => counters.record(Math.random() < spec.errorChance()), TRAFFIC_TICK_MS);
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(counters.healthBody({ ...spec.attributes, ...spec.liveAttributes?.() }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(options.port, resolve));
  const { port } = server.address() as AddressInfo;
  log(options.id, `listening on port ${port}`);

  const stop = (): void => {
    clearInterval(traffic);
    server.close();
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await registerWithBackoff(options, options.publicUrl ?? `http://localhost:${port}`, spec.attributes);
  } catch (error) {
    log(options.id, error instanceof Error ? error.message : String(error));
    stop();
    process.exitCode = 1;
  }
  return server;
}
