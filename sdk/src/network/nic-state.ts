import { canonicalAddress } from './ip-address';

/** One interface as `ip -json addr show` prints it (the fields read here). */
export interface IpLink {
  ifname: string;
  /** Interface flags, e.g. `["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]`. */
  flags: string[];
  /** `UP`, `DOWN`, `LOWERLAYERDOWN`, `UNKNOWN` (loopback, some virtual devices), … */
  operstate: string;
  addr_info: { family: string; local: string; prefixlen?: number; dadfailed?: boolean; tentative?: boolean }[];
}

/**
 * Why an address is not usable:
 * - `link-down`: the interface is administratively down (`ip link set … down`);
 * - `no-carrier`: it is up but has no carrier (no `LOWER_UP`, operstate not `UP`/`UNKNOWN`: cable, peer or switch port down);
 * - `address-missing`: no interface carries the address (deleted, or duplicate-address detection failed);
 * - `unreadable`: the interfaces could not be read (`ip` missing, failing or timing out).
 */
export type NicFailure = 'link-down' | 'no-carrier' | 'address-missing' | 'unreadable';

/** What an {@link InterfaceWatcher} reports about the interface that carries one address. */
export interface NicState {
  ok: boolean;
  /** The interface that carries the address, or the last one that did; null when none ever did. */
  interface: string | null;
  /** Why the address is not usable; null when `ok`. */
  failure: NicFailure | null;
  /** The failure in words, for events and status (`interface sip0 is administratively down`); null when `ok`. */
  reason: string | null;
}

/** Operational states that mean the interface passes traffic. `UNKNOWN` is what loopback and many virtual devices report. */
const PASSING = new Set(['UP', 'UNKNOWN']);

/**
 * Reads the output of `ip -json addr show`. Entries that do not look like
 * interfaces are skipped; a document that is not a JSON array throws.
 */
export function parseIpAddrShow(json: string): IpLink[] {
  const doc: unknown = JSON.parse(json);
  if (!Array.isArray(doc)) throw new TypeError('ip -json addr show did not print a JSON array');
  const links: IpLink[] = [];
  for (const entry of doc as Record<string, unknown>[]) {
    if (typeof entry !== 'object' || entry === null || typeof entry.ifname !== 'string') continue;
    const flags = Array.isArray(entry.flags) ? entry.flags.filter((f): f is string => typeof f === 'string') : [];
    const addrs = Array.isArray(entry.addr_info) ? (entry.addr_info as Record<string, unknown>[]) : [];
    links.push({
      ifname: entry.ifname,
      flags,
      operstate: typeof entry.operstate === 'string' ? entry.operstate : 'UNKNOWN',
      addr_info: addrs
        .filter((a) => typeof a === 'object' && a !== null && typeof a.local === 'string')
        .map((a) => ({ family: String(a.family), local: a.local as string, dadfailed: a.dadfailed === true, tentative: a.tentative === true })),
    });
  }
  return links;
}

/**
 * Judges the interface that carries `address` (a canonical literal, see
 * {@link canonicalAddress}) from a list of interfaces. `lastInterface` names
 * the interface in the verdict when the address is gone.
 */
export function judgeAddress(address: string, links: readonly IpLink[], lastInterface: string | null = null): NicState {
  const link = links.find((l) => l.addr_info.some((a) => canonicalAddress(a.local) === address && !a.dadfailed));
  if (!link) {
    return {
      ok: false,
      interface: lastInterface,
      failure: 'address-missing',
      reason: `address ${address} is on no interface${lastInterface ? ` (was on ${lastInterface})` : ''}`,
    };
  }
  const name = link.ifname;
  if (!link.flags.includes('UP')) {
    return { ok: false, interface: name, failure: 'link-down', reason: `interface ${name} is administratively down` };
  }
  if (link.flags.includes('NO-CARRIER') || !link.flags.includes('LOWER_UP') || !PASSING.has(link.operstate)) {
    return { ok: false, interface: name, failure: 'no-carrier', reason: `interface ${name} has lost its carrier (state ${link.operstate})` };
  }
  return { ok: true, interface: name, failure: null, reason: null };
}

/** Whether two states say the same thing (same verdict, interface and reason). */
export function sameNicState(a: NicState, b: NicState): boolean {
  return a.ok === b.ok && a.interface === b.interface && a.failure === b.failure && a.reason === b.reason;
}
