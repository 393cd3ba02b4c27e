// The TCP prober: connect through the target guard, close at once. A connection is the whole answer.
import { connect, isIP } from 'node:net';
import { guardedLookup, refusalReason } from '../../net/target-guard.js';
import { describeFetchError } from '../http/describe-error.js';
import { NOTHING_REPORTED, type AttemptOutcome, type ProbeAttempt, type ProberContext } from '../protocol.js';
import { bareHost } from '../protocols/host-port-url.js';

export function createTcpProber(context: ProberContext): ProbeAttempt {
  const lookup = guardedLookup(context.targetPolicy);
  return (job) =>
    new Promise<AttemptOutcome>((resolve) => {
      const url = new URL(job.url);
      const host = bareHost(url);
      // An address literal never goes through `lookup`: the policy checks it here.
      const literalProblem = isIP(host) === 0 ? null : context.targetPolicy.check(host);
      if (literalProblem !== null) return resolve({ kind: 'failed', error: literalProblem, final: true });
      const socket = connect({ host, port: Number(url.port), lookup });
      const finish = (outcome: AttemptOutcome): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(outcome);
      };
      const timer = setTimeout(
        () => finish({ kind: 'failed', error: `timeout after ${job.timeoutMs} ms` }),
        job.timeoutMs,
      );
      socket.once('connect', () => finish({ kind: 'answered', report: NOTHING_REPORTED }));
      socket.once('error', (error: Error) => {
        const refusal = refusalReason(error);
        if (refusal !== null) return finish({ kind: 'failed', error: refusal, final: true });
        finish({ kind: 'failed', error: describeFetchError(error, job.timeoutMs) });
      });
    });
}
