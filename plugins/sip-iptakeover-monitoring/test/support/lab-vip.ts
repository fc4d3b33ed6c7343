import type { LabPair, NodeId } from '@switchyard/lab';

/** The virtual IP the lab tests move between the hosts. */
export const VIP = '198.51.100.100';
export const HOST_OF = { 'sip-a': 'h1', 'sip-b': 'h2' } as const;
export const OTHER = { 'sip-a': 'sip-b', 'sip-b': 'sip-a' } as const;

/** Whether the VIP is on sip0 of `host`, read inside the host's namespace. */
export function holds(pair: LabPair, host: 'h1' | 'h2'): Promise<boolean> {
  return pair.holdsAddress(host === 'h1' ? 'sip-a' : 'sip-b', VIP);
}

/** Waits until the VIP is on `node`'s host and not on the other one. */
export function vipOnlyOn(pair: LabPair, node: NodeId, timeoutMs = 15_000) {
  return pair.addressOnlyOn(node, VIP, timeoutMs);
}

/** Waits for a line with `eventId` in `node`'s log after line `from`, and returns it. */
export function logged(pair: LabPair, node: NodeId, from: number, eventId: string, timeoutMs = 15_000) {
  return pair.logged(node, from, eventId, timeoutMs);
}
