// ALLOW_TARGETS: which hosts a registration may point the monitor at (names, wildcards, CIDR ranges).
import { BlockList, isIP } from 'node:net';

export interface TargetPolicy {
  /** `null` when allowed, else the reason in words. */
  check(hostname: string): string | null;
}

export const ANY_TARGET: TargetPolicy = { check: () => null };

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

/** Entries must have passed `targetEntryProblem`. */
export function allowListPolicy(entries: readonly string[]): TargetPolicy {
  const ranges = new BlockList();
  const names: string[] = [];
  const suffixes: string[] = [];
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    if (family !== 0) ranges.addSubnet(address, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    else if (address.startsWith('*.')) suffixes.push(address.slice(1).toLowerCase());
    else names.push(address.toLowerCase());
  }
  return {
    check(hostname: string): string | null {
      const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
      const family = isIP(host);
      const allowed =
        family !== 0
          ? ranges.check(host, family === 4 ? 'ipv4' : 'ipv6')
          : names.includes(host) || suffixes.some((suffix) => host.endsWith(suffix));
      return allowed ? null : `host ${host} is not in ALLOW_TARGETS`;
    },
  };
}
