// Targets for the protocols step, in a process of their own so they never share the bench's CPU:
// `--protocol tcp` listens on `--ports` ports and closes each connection once accepted;
// `--protocol grpc` serves the standard gRPC health service (grpc-health-check) as SERVING on as many.
// Prints `listening <port>,<port>,…`; over IPC, answers `stats` with what it has served.
import { Server, ServerCredentials, ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { createServer, type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

export interface TargetStats {
  /** TCP: connections accepted; gRPC: calls answered with status OK. */
  readonly answered: number;
}

const { values } = parseArgs({ options: { protocol: { type: 'string' }, ports: { type: 'string' } } });
const protocol = values.protocol;
const portCount = Number(values.ports ?? 1);
if ((protocol !== 'tcp' && protocol !== 'grpc') || !Number.isInteger(portCount) || portCount < 1) {
  process.stderr.write(`protocol-targets: --protocol tcp|grpc and --ports N (N ≥ 1) are required\n`);
  process.exit(2);
}

let answered = 0;

function listenTcp(): Promise<number> {
  const server = createServer((socket) => {
    answered++;
    // The prober closes too; an error from that race is nobody's concern here.
    socket.on('error', () => undefined);
    socket.destroy();
  });
  // Accepts come in bursts as cycles start; the default backlog of 511 is enough for 1,000 a second,
  // but a short burst above it would read as refused probes.
  return new Promise((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve((server.address() as AddressInfo).port)),
  );
}

async function listenGrpc(): Promise<number[]> {
  // Counted where the status goes out: a call that ends OK is a probe answered.
  const counting: ServerInterceptor = (_method, call) =>
    new ServerInterceptingCall(call, {
      sendStatus(status, next) {
        if (status.code === 0) answered++;
        next(status);
      },
    });
  const server = new Server({ interceptors: [counting] });
  new HealthImplementation({ '': 'SERVING' }).addToServer(server);
  const ports: number[] = [];
  for (let i = 0; i < portCount; i++)
    ports.push(
      await new Promise<number>((resolve, reject) =>
        server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) =>
          error === null ? resolve(port) : reject(error),
        ),
      ),
    );
  return ports;
}

const ports =
  protocol === 'tcp' ? await Promise.all(Array.from({ length: portCount }, () => listenTcp())) : await listenGrpc();

process.on('message', (message) => {
  if (message !== 'stats') return;
  const stats: TargetStats = { answered };
  process.send?.(stats);
});
process.on('SIGTERM', () => process.exit(0));
process.stdout.write(`listening ${ports.join(',')}\n`);
