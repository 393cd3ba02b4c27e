// The probe protocols, keyed by URL scheme: registration accepts exactly these schemes, and a probe
// thread builds one prober per protocol. A new protocol is a file in protocols/ and an entry here.
import { schemeList } from '../domain/index.js';
import type { ProbeAttempt, ProbeProtocol, ProberContext } from './protocol.js';
import { httpProtocol } from './protocols/http.js';
import { tcpProtocol } from './protocols/tcp.js';

const PROTOCOLS: readonly ProbeProtocol[] = [httpProtocol, tcpProtocol];

const BY_SCHEME: ReadonlyMap<string, ProbeProtocol> = new Map(
  PROTOCOLS.flatMap((protocol) => protocol.schemes.map((scheme) => [scheme, protocol] as const)),
);

/** Every scheme a service may register with, as `URL.protocol` spells them (`'http:'`). */
export const PROBE_SCHEMES: readonly string[] = [...BY_SCHEME.keys()];

/** The schemes in words, for messages and documentation: `http or https`. */
export const PROBE_SCHEME_LIST = schemeList(PROBE_SCHEMES);

/** The protocol that probes `scheme` (`URL.protocol`), if any. */
export function protocolFor(scheme: string): ProbeProtocol | undefined {
  return BY_SCHEME.get(scheme);
}

/** A probe thread's attempt function per scheme. */
export type ProbeTable = Readonly<Record<string, ProbeAttempt>>;

/** One table per probe thread: its probers keep their connections from probe to probe. */
export async function createProbeTable(context: ProberContext): Promise<ProbeTable> {
  const table: Record<string, ProbeAttempt> = {};
  for (const protocol of PROTOCOLS) {
    const attempt = await protocol.createProber(context);
    for (const scheme of protocol.schemes) table[scheme] = attempt;
  }
  return table;
}
