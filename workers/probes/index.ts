// The probe table: one attempt function per URL scheme. A new protocol is a file and an entry here.
import { Agent } from 'undici';
import type { TargetPolicy } from '../../src/domain/index.js';
import type { ProbeAttempt } from './attempt.js';
import { createHttpProbe, PROBE_HEADERS } from './http.js';
import { guardedConnector } from '../../src/net/target-guard.js';
import { createUndiciFetch } from './undici-fetch.js';

export type ProbeTable = Readonly<Record<string, ProbeAttempt>>;

export interface ProbeTableOptions {
  /** Most probes this thread runs at once: more sockets per target would only sit idle. */
  readonly connectionsPerOrigin: number;
  /** ALLOW_TARGETS and the metadata refusal, enforced on every connection this table's agent makes. */
  readonly targetPolicy: TargetPolicy;
}

/** One table per worker thread: its keep-alive connections are reused from probe to probe. */
export function createProbeTable(options: ProbeTableOptions): ProbeTable {
  // Without a cap undici opens spare sockets (10 for 5 probes in flight were seen); pipelining 1
  // keeps one probe per connection, as a target expects from a monitor.
  const agent = new Agent({ connections: options.connectionsPerOrigin, pipelining: 1, connect: guardedConnector(options.targetPolicy) });
  const http = createHttpProbe(createUndiciFetch(agent, { defaultHeaders: PROBE_HEADERS }));
  return { 'http:': http, 'https:': http };
}

export type { AttemptOutcome, ProbeAttempt } from './attempt.js';
