// A real gRPC server on 127.0.0.1:0 with the standard health service (grpc-health-check), plain or TLS,
// and a TCP relay in front of a port that counts the connections made through it.
import { createServer, type AddressInfo, type Socket, connect } from 'node:net';
import {
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { HealthImplementation, service as healthService, type ServingStatusMap } from 'grpc-health-check';
import type { Certificate } from './certificate.js';

export interface GrpcTarget {
  readonly port: number;
  /** `grpc://127.0.0.1:port`, or `grpcs://` when served over TLS. */
  readonly url: string;
  readonly health: HealthImplementation;
  close(): Promise<void>;
}

export async function startGrpcTarget(
  statuses: ServingStatusMap = { '': 'SERVING' },
  certificate?: Certificate,
  port = 0,
): Promise<GrpcTarget> {
  const server = new Server();
  const health = new HealthImplementation(statuses);
  health.addToServer(server);
  const credentials =
    certificate === undefined
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(null, [
          { private_key: Buffer.from(certificate.key), cert_chain: Buffer.from(certificate.cert) },
        ]);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, credentials, (error, at) => (error ? reject(error) : resolve(at))),
  );
  return {
    port: bound,
    url: `${certificate === undefined ? 'grpc' : 'grpcs'}://127.0.0.1:${bound}`,
    health,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

/** A port that accepts connections and never writes a byte: a server that hangs before answering. */
export async function startSilentPort(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP relay to `port` that counts the connections made through it, and those still open. */
export async function startCountingRelay(port: number): Promise<{
  readonly port: number;
  accepted(): number;
  open(): number;
  close(): Promise<void>;
}> {
  let accepted = 0;
  const open = new Set<Socket>();
  const server = createServer((incoming) => {
    accepted++;
    open.add(incoming);
    const outgoing = connect(port, '127.0.0.1');
    incoming.on('close', () => {
      open.delete(incoming);
      outgoing.destroy();
    });
    outgoing.on('close', () => incoming.destroy());
    for (const socket of [incoming, outgoing]) socket.on('error', () => undefined);
    incoming.pipe(outgoing).pipe(incoming);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    open: () => open.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A gRPC health server whose Check is `check`: for targets that count calls, answer late or never.
 * `answerBytes`, when given, replaces the encoding of every answer (a hostile server's bytes).
 */
export async function startGrpcCheckServer(
  check: (call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => void,
  answerBytes?: () => Buffer,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const server = new Server();
  const { Check: checkMethod } = healthService;
  const definition =
    answerBytes === undefined || checkMethod === undefined
      ? healthService
      : { ...healthService, Check: { ...checkMethod, responseSerialize: answerBytes } };
  server.addService(definition, {
    Check: check,
    Watch: (call: ServerWritableStream<object, object>) => call.end(),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, at) =>
      error ? reject(error) : resolve(at),
    ),
  );
  return {
    url: `grpc://127.0.0.1:${port}`,
    close: async () => server.forceShutdown(),
  };
}
