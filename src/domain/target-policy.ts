// ALLOW_TARGETS: which hosts the monitor may be pointed at (names, wildcards, addresses, CIDR ranges),
// checked on the URL's host at registration and before every connection, and on the resolved address
// at probe time. Cloud metadata and link-local addresses, in any IPv6 form that carries them, are
// refused unless an address entry covers them.
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
 * Instance metadata and credential services hand out cloud credentials to whatever asks from inside the
 * machine: the classic server-side request forgery prize. Each is refused unless an ALLOW_TARGETS
 * address or range covers it.
 */
export const METADATA_ADDRESSES: readonly string[] = [
  '169.254.169.254', // AWS, GCP, Azure, Oracle, OpenStack, DigitalOcean, ...
  '169.254.170.2', // AWS ECS task credentials
  '169.254.170.23', // AWS EKS Pod Identity
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud (legacy metadata)
  '168.63.129.16', // Azure WireServer: the VM agent's configuration
  'fd00:ec2::254', // AWS over IPv6
  'fd00:ec2::23', // AWS EKS Pod Identity over IPv6
  'fd20:ce::254', // GCP over IPv6
];

/** Link-local ranges reach only the machine's own link, where metadata services and host agents live. */
export const LINK_LOCAL_RANGES: readonly string[] = ['169.254.0.0/16', 'fe80::/10'];

const familyOf = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 4 ? 'ipv4' : 'ipv6');
const unbracket = (host: string): string => host.replace(/^\[|\]$/g, '').toLowerCase();

function blockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    if (prefix === undefined) list.addAddress(address, familyOf(address));
    else list.addSubnet(address, Number(prefix), familyOf(address));
  }
  return list;
}

/** The refusal rules, the more specific first: the message names the rule that matched. */
const UNLESS = 'refused unless an ALLOW_TARGETS address or range covers it';
const RULES: readonly { readonly what: string; readonly list: BlockList }[] = [
  { what: 'the cloud metadata address', list: blockList(METADATA_ADDRESSES) },
  { what: 'a link-local address', list: blockList(LINK_LOCAL_RANGES) },
];

/**
 * IPv6 forms that carry an IPv4 address and may reach it: the prefix (leading bytes) and where the four
 * bytes sit. A form named `null` is the IPv4 address itself to the socket, so the message needs no gloss.
 */
const EMBEDDINGS: readonly {
  readonly form: string | null;
  readonly prefix: readonly number[];
  readonly at: readonly (readonly number[])[];
}[] = [
  { form: null, prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], at: [[12, 13, 14, 15]] }, // IPv4-mapped ::ffff:0:0/96
  { form: 'IPv4-compatible', prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], at: [[12, 13, 14, 15]] }, // ::/96
  { form: 'IPv4-translated', prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0], at: [[12, 13, 14, 15]] }, // ::ffff:0:0:0/96
  { form: 'NAT64', prefix: [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], at: [[12, 13, 14, 15]] }, // 64:ff9b::/96
  // The local-use prefix 64:ff9b:1::/48 may be cut at /48, /56, /64 or /96, each placing the address
  // differently and skipping bits 64-71 (RFC 6052): every placement is checked.
  {
    form: 'NAT64',
    prefix: [0, 0x64, 0xff, 0x9b, 0, 1],
    at: [
      [6, 7, 9, 10],
      [7, 9, 10, 11],
      [9, 10, 11, 12],
      [12, 13, 14, 15],
    ],
  },
  { form: '6to4', prefix: [0x20, 0x02], at: [[2, 3, 4, 5]] }, // 2002::/16: the site's router, reached over IPv4
];

/** The 16 bytes of an address `isIP` calls IPv6 (zone already removed), a dotted IPv4 tail included. */
function ipv6Bytes(address: string): number[] {
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const word = (high?: string, low?: string): string => ((Number(high) << 8) | Number(low)).toString(16);
  const text =
    tail === null ? address : `${address.slice(0, tail.index)}${word(tail[1], tail[2])}:${word(tail[3], tail[4])}`;
  const [head = '', rest] = text.split('::');
  const words = (part: string): number[] => (part === '' ? [] : part.split(':').map((hex) => parseInt(hex, 16)));
  const left = words(head);
  const right = rest === undefined ? [] : words(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right].flatMap((value) => [
    value >> 8,
    value & 0xff,
  ]);
}

/** The address itself, then every IPv4 address an IPv6 form of it carries, with the form's name. */
function reachedAddresses(address: string): { readonly address: string; readonly form: string | null }[] {
  const reached: { address: string; form: string | null }[] = [{ address, form: null }];
  if (isIP(address) !== 6) return reached;
  const bytes = ipv6Bytes(address);
  for (const { form, prefix, at } of EMBEDDINGS) {
    if (!prefix.every((byte, index) => bytes[index] === byte)) continue;
    for (const positions of at) reached.push({ address: positions.map((index) => bytes[index] ?? 0).join('.'), form });
  }
  return reached;
}

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

/**
 * Entries must have passed `targetEntryProblem`; `null` (ALLOW_TARGETS unset) allows every target but the
 * metadata and link-local addresses.
 */
export function targetPolicy(entries: readonly string[] | null): TargetPolicy {
  const ranges = new BlockList();
  let hasRanges = false;
  const names: string[] = [];
  const suffixes: string[] = [];
  for (const entry of entries ?? []) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    if (family !== 0) {
      ranges.addSubnet(
        address,
        prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix),
        family === 4 ? 'ipv4' : 'ipv6',
      );
      hasRanges = true;
    } else if (address.startsWith('*.')) suffixes.push(address.slice(1).toLowerCase());
    else names.push(address.toLowerCase());
  }
  const inRanges = (address: string): boolean => ranges.check(address, familyOf(address));
  /**
   * The refused address `address` is or reaches: the address as shown (with the IPv4 address a
   * translation carries) and the rule. An entry covering the address as written, or the IPv4 address
   * it carries, lifts the refusal: the operator named it.
   */
  const refusal = (address: string): { shown: string; what: string } | null => {
    const bare = address.replace(/%.*$/, ''); // a zone index says which interface, not which address
    if (inRanges(bare)) return null;
    for (const reached of reachedAddresses(bare)) {
      const rule = RULES.find(({ list }) => list.check(reached.address, familyOf(reached.address)));
      if (rule === undefined || inRanges(reached.address)) continue;
      const shown = reached.form === null ? address : `${address} (${reached.form} form of ${reached.address})`;
      return { shown, what: rule.what };
    }
    return null;
  };

  return {
    entries: entries === null ? null : [...entries],
    check(hostname) {
      const host = unbracket(hostname);
      if (isIP(host) !== 0) {
        const refused = refusal(host);
        if (refused !== null) return `host ${refused.shown} is ${refused.what}, ${UNLESS}`;
        return entries === null || inRanges(host) ? null : `host ${host} is not in ALLOW_TARGETS`;
      }
      if (entries === null) return null;
      return names.includes(host) || suffixes.some((suffix) => host.endsWith(suffix))
        ? null
        : `host ${host} is not in ALLOW_TARGETS`;
    },
    checkResolved(hostname, address) {
      const host = unbracket(hostname);
      if (isIP(address) === 0) return `${host} resolved to "${address}", which is not an address`;
      const refused = refusal(address);
      if (refused !== null) return `${host} resolved to ${refused.shown}, which is ${refused.what}, ${UNLESS}`;
      // With address entries, a name must resolve inside them: a name alone does not say where it
      // points today (DNS rebinding). With names only, the names are the whole rule.
      return !hasRanges || inRanges(address) ? null : `${host} resolved to ${address}, which is not in ALLOW_TARGETS`;
    },
  };
}

/** Every target except the metadata and link-local addresses: the policy without ALLOW_TARGETS. */
export const ANY_TARGET: TargetPolicy = targetPolicy(null);
