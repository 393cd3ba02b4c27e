// grpc://host:port and grpcs://host:port (TLS): grpc.health.v1.Health/Check for the registration's
// grpc_service. SERVING is ready and healthy; any other answer is unhealthy and not ready, with the
// status in the reason; no connection or no answer within the timeout is a failure (retried, then dead).
import type { ProbeProtocol } from '../protocol.js';
import { hostPortUrlProblem } from './host-port-url.js';

export const grpcProtocol: ProbeProtocol = {
  name: 'grpc',
  schemes: ['grpc:', 'grpcs:'],
  tlsSchemes: ['grpcs:'],
  healthPath: false,
  checkUrl: (url, text) => hostPortUrlProblem(url, text, `${url.protocol}//host:50051`),
  async createProber(context) {
    const { createGrpcProber } = await import('../grpc/grpc-probe.js');
    return createGrpcProber(context);
  },
};
