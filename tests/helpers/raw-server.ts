// Any node:net, node:http or node:https server on 127.0.0.1, port 0, recording every connection
// made to it: how many, and how long each stayed open (what a hostile target sees of the monitor).
import { readFileSync } from 'node:fs';
import type { AddressInfo, Server, Socket } from 'node:net';

export interface Connection {
  readonly openedAt: number;
  /** `null` while it is open. */
  closedAt: number | null;
}

export interface RawServer {
  readonly url: string;
  readonly port: number;
  /** Every connection accepted (TCP, before any TLS), in order. */
  readonly connections: readonly Connection[];
  /** Connections not closed yet. */
  readonly open: number;
  /** Most connections open at the same moment. */
  readonly maxOpen: number;
  close(): Promise<void>;
}

export async function startRawServer(server: Server, scheme: 'http' | 'https'): Promise<RawServer> {
  const connections: Connection[] = [];
  const sockets = new Set<Socket>();
  let maxOpen = 0;
  // 'connection' is the TCP accept on all three kinds of server, TLS or not.
  server.on('connection', (socket: Socket) => {
    const connection: Connection = { openedAt: Date.now(), closedAt: null };
    connections.push(connection);
    sockets.add(socket);
    maxOpen = Math.max(maxOpen, sockets.size);
    socket.on('close', () => {
      connection.closedAt = Date.now();
      sockets.delete(socket);
    });
    // A hostile server must not crash the test when the monitor hangs up on it.
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    connections,
    get open() {
      return sockets.size;
    },
    get maxOpen() {
      return maxOpen;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/**
 * The committed self-signed certificate for 127.0.0.1 (valid until 2126) and its key: see
 * tests/fixtures/tls/README.md for how they were made.
 */
export function selfSignedCertificate(): { cert: Buffer; key: Buffer } {
  // Compiled tests run from dist/tests/helpers; the fixtures stay in the source tree.
  const folder = new URL('../../../tests/fixtures/tls/', import.meta.url);
  return { cert: readFileSync(new URL('cert.pem', folder)), key: readFileSync(new URL('key.pem', folder)) };
}
