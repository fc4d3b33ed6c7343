import { canonicalAddress, isUnspecified } from '@switchyard/sdk/network';

/** A virtual IP as configured: `198.51.100.100/24`. */
export interface VipAddress {
  /** The address, canonical (`2001:db8::64`). */
  address: string;
  prefixLength: number;
  family: 4 | 6;
  /** `address/prefixLength`, what `ip addr add|del` takes. */
  cidr: string;
}

/** Parses `address/prefix`; returns a sentence saying what is wrong instead when it is not one. */
export function parseVip(text: string): VipAddress | string {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) return 'give the address with its prefix length, e.g. "198.51.100.100/24"';
  const address = canonicalAddress(match[1]!);
  if (address === undefined || match[1]!.includes('%') || match[1]!.startsWith('[')) return `"${match[1]}" is not an IPv4 or IPv6 address`;
  if (isUnspecified(address)) return 'the unspecified address (0.0.0.0 or ::) cannot be a virtual IP';
  const family = address.includes(':') ? 6 : 4;
  const prefixLength = Number(match[2]);
  const max = family === 4 ? 32 : 128;
  if (prefixLength < 1 || prefixLength > max) return `the prefix length must be 1 to ${max} for an IPv${family} address`;
  return { address, prefixLength, family, cidr: `${address}/${prefixLength}` };
}
