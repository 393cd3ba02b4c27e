// The target policy (ALLOW_TARGETS; link-local and cloud metadata addresses in every spelling refused
// unless it covers them) where a connection is made, for probes and webhook deliveries alike: the URL's
// host is checked before connecting, and every address a name resolves to before the socket is handed
// it, so a name that now points somewhere else (DNS rebinding, a record registered under a looser
// list) never gets a connection.
import { promises as dns, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import type { TargetPolicy } from '../domain/index.js';

/** A refusal by the target policy: reported as is, and never retried (it is not a network fault). */
export class TargetRefusedError extends Error {
  readonly code = 'ERR_TARGET_REFUSED';
  constructor(readonly reason: string) {
    super(`probe refused: ${reason}`);
    this.name = 'TargetRefusedError';
  }
}

/** Name resolution as `dns.lookup(hostname, { all: true })` answers it; tests inject their own. */
export type Resolver = (hostname: string, options: LookupAllOptions) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname, options) => dns.lookup(hostname, options);

/**
 * A `lookup` for `net.connect` that drops the addresses the policy refuses. The socket only ever sees
 * allowed addresses; when none is left the lookup fails with the reason for the first refused one.
 */
export function guardedLookup(policy: TargetPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }).then(
      (addresses) => {
        const allowed: LookupAddress[] = [];
        let refusal: string | null = null;
        for (const entry of addresses) {
          const problem = policy.checkResolved(hostname, entry.address);
          if (problem === null) allowed.push(entry);
          else refusal ??= problem;
        }
        const first = allowed[0];
        if (first === undefined) {
          callback(new TargetRefusedError(refusal ?? `${hostname} resolved to no address`), '');
        } else if (options.all === true) callback(null, allowed);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

/**
 * An undici connector that checks the host before connecting (an address literal never goes through
 * `lookup`) and resolves names through `guardedLookup`.
 */
export function guardedConnector(
  policy: TargetPolicy,
  resolve?: Resolver,
  tls: { readonly rejectUnauthorized?: boolean } = {},
): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(policy, resolve), ...tls });
  return (options, callback) => {
    const problem = policy.check(options.hostname);
    if (problem !== null) {
      // Asynchronously, as a failed socket would report it: undici expects the callback after return.
      queueMicrotask(() => callback(new TargetRefusedError(problem), null));
      return;
    }
    connect(options, callback);
  };
}

/** The policy's reason when `error` (or an error it was caused by) is a refusal, else `null`. */
export function refusalReason(error: unknown): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof TargetRefusedError) return current.reason;
  }
  return null;
}
