// The probe protocols, keyed by URL scheme: registration accepts exactly these schemes, and a probe
// thread builds one prober per protocol. A new protocol is a file in protocols/ and an entry here.
import { schemeList } from '../domain/index.js';
import type { ProbeAttempt, ProbeProtocol, ProberContext } from './protocol.js';
import { grpcProtocol } from './protocols/grpc.js';
import { httpProtocol } from './protocols/http.js';
import { tcpProtocol } from './protocols/tcp.js';

const PROTOCOLS: readonly ProbeProtocol[] = [httpProtocol, grpcProtocol, tcpProtocol];

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

/** The schemes that speak TLS, where `tls_skip_verify` applies. */
export const TLS_SCHEMES: readonly string[] = PROTOCOLS.flatMap((protocol) => protocol.tlsSchemes);

/** The schemes of the protocol named `name`. */
export function schemesOf(name: string): readonly string[] {
  return PROTOCOLS.find((protocol) => protocol.name === name)?.schemes ?? [];
}

/** Every protocol's name, as the `protocol` label of `health_monitor_probes_total` has them. */
export const PROTOCOL_NAMES: readonly string[] = PROTOCOLS.map((protocol) => protocol.name);

/** The name of the protocol that probes `url` (as registered); `unknown` for a scheme none probes. */
export function protocolNameOf(url: string): string {
  return BY_SCHEME.get(url.slice(0, url.indexOf(':') + 1).toLowerCase())?.name ?? 'unknown';
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
