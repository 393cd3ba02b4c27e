// Real HTTP targets on 127.0.0.1, port 0, that count what the monitor does to them.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

export interface Target {
  readonly url: string;
  readonly port: number;
  /** Requests received, in order, with their arrival time (epoch ms) and path. */
  readonly requests: { at: number; path: string }[];
  /** Most requests open at the same moment. */
  readonly maxInFlight: number;
  /** TCP connections accepted, whether or not a request followed: proof that a refused client never connected. */
  readonly connections: number;
  close(): Promise<void>;
}

export type TargetHandler = (request: IncomingMessage, response: ServerResponse, index: number) => void;

/** A target on 127.0.0.1, on a free port unless `port` names one. */
export async function startTarget(handler: TargetHandler, port = 0): Promise<Target> {
  const requests: { at: number; path: string }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((request, response) => {
    requests.push({ at: Date.now(), path: request.url ?? '' });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = (): void => {
      if (counted) inFlight--;
      counted = false;
    };
    response.on('close', done);
    handler(request, response, requests.length - 1);
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => (server.off('error', reject), resolve()));
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function json(response: ServerResponse, body: unknown, status = 200): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/**
 * Ports below the kernel's ephemeral range and off the fetch "bad ports" list: a server started on port 0
 * (every test server, Prometheus) never gets one, where a port just freed could be handed out again.
 */
const NEVER_ASSIGNED_PORTS = [1023, 1021, 1013, 1011, 1009];

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

/** A URL on which nothing listens, now or later in the test. */
export async function refusedUrl(): Promise<string> {
  for (const port of NEVER_ASSIGNED_PORTS) if (await refuses(port)) return `http://127.0.0.1:${port}`;
  throw new Error(`every one of the ports ${NEVER_ASSIGNED_PORTS.join(', ')} has a listener on this machine`);
}
