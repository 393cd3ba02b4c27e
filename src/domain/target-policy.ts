// ALLOW_TARGETS: which hosts the monitor may be pointed at (names, wildcards, addresses, CIDR ranges),
// checked on the URL's host at registration and before every connection, and on the resolved address
// at probe time. The cloud metadata address is refused unless an address entry covers it.
import { BlockList, isIP } from 'node:net';

export interface TargetPolicy {
  /** The ALLOW_TARGETS entries (`null`: unset), from which a probe worker rebuilds the same policy. */
  readonly entries: readonly string[] | null;
  /**
   * The URL's host (a name, or an address as the URL parser writes it), at registration and again
   * before a probe connects: `null` when allowed, else the reason in words.
   */
  check(hostname: string): string | null;
  /** An address `hostname` resolved to, just before a probe connects to it: `null` or the reason. */
  checkResolved(hostname: string, address: string): string | null;
}

/**
 * Instance metadata services hand out cloud credentials to whatever asks from inside the machine:
 * the classic server-side request forgery prize. AWS, GCP, Azure, Oracle and others use 169.254.169.254;
 * AWS also answers on fd00:ec2::254. IPv4-mapped forms (::ffff:169.254.169.254) match the IPv4 entry.
 */
export const METADATA_ADDRESSES: readonly string[] = ['169.254.169.254', 'fd00:ec2::254'];

const metadata = new BlockList();
for (const address of METADATA_ADDRESSES) metadata.addAddress(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');

const familyOf = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 4 ? 'ipv4' : 'ipv6');
const unbracket = (host: string): string => host.replace(/^\[|\]$/g, '').toLowerCase();

/** `null` when the entry is usable, else what is wrong with it. */
export function targetEntryProblem(entry: string): string | null {
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined || address === undefined) return `"${entry}" is not a host name, address or CIDR range`;
  if (prefix !== undefined) {
    const family = isIP(address);
    const bits = Number(prefix);
    const max = family === 4 ? 32 : 128;
    if (family === 0 || !/^\d+$/.test(prefix) || bits > max) return `"${entry}" is not a valid CIDR range`;
    return null;
  }
  if (isIP(address) !== 0) return null;
  return /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(address)
    ? null
    : `"${entry}" is not a host name, address or CIDR range`;
}

/** Entries must have passed `targetEntryProblem`; `null` (ALLOW_TARGETS unset) allows every target but the metadata address. */
export function targetPolicy(entries: readonly string[] | null): TargetPolicy {
  const ranges = new BlockList();
  let hasRanges = false;
  const names: string[] = [];
  const suffixes: string[] = [];
  for (const entry of entries ?? []) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    if (family !== 0) {
      ranges.addSubnet(address, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
      hasRanges = true;
    } else if (address.startsWith('*.')) suffixes.push(address.slice(1).toLowerCase());
    else names.push(address.toLowerCase());
  }
  const inRanges = (address: string): boolean => ranges.check(address, familyOf(address));
  const isMetadata = (address: string): boolean => metadata.check(address, familyOf(address)) && !inRanges(address);
  const metadataReason = (what: string): string =>
    `${what} is the cloud metadata address, refused unless an ALLOW_TARGETS address or range covers it`;

  return {
    entries: entries === null ? null : [...entries],
    check(hostname) {
      const host = unbracket(hostname);
      if (isIP(host) !== 0) {
        if (isMetadata(host)) return metadataReason(`host ${host}`);
        return entries === null || inRanges(host) ? null : `host ${host} is not in ALLOW_TARGETS`;
      }
      if (entries === null) return null;
      return names.includes(host) || suffixes.some((suffix) => host.endsWith(suffix)) ? null : `host ${host} is not in ALLOW_TARGETS`;
    },
    checkResolved(hostname, address) {
      const host = unbracket(hostname);
      if (isIP(address) === 0) return `${host} resolved to "${address}", which is not an address`;
      if (isMetadata(address)) return metadataReason(`${host} resolved to ${address}, which`);
      // With address entries, a name must resolve inside them: a name alone does not say where it
      // points today (DNS rebinding). With names only, the names are the whole rule.
      return !hasRanges || inRanges(address) ? null : `${host} resolved to ${address}, which is not in ALLOW_TARGETS`;
    },
  };
}

/** Every target except the cloud metadata address: the policy without ALLOW_TARGETS. */
export const ANY_TARGET: TargetPolicy = targetPolicy(null);
