// A healthy target that counts the TCP connections it accepts: proof that a refused probe never connected.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountedTarget {
  readonly port: number;
  /** Connections accepted so far, whether or not a request followed. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startCountedTarget(): Promise<CountedTarget> {
  let connections = 0;
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ uptime_sec: 1, request_count: 1, error_count: 0 }));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
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
