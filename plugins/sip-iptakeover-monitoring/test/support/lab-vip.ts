import type { LabPair, NodeId } from '@switchyard/lab';
import { waitFor } from '@switchyard/sdk/testing';
import { expect } from 'vitest';

/** The virtual IP the lab tests move between the hosts. */
export const VIP = '198.51.100.100';
export const HOST_OF = { 'sip-a': 'h1', 'sip-b': 'h2' } as const;
export const OTHER = { 'sip-a': 'sip-b', 'sip-b': 'sip-a' } as const;

/** Whether the VIP is on sip0 of `host`, read inside the host's namespace. */
export async function holds(pair: LabPair, host: 'h1' | 'h2'): Promise<boolean> {
  const r = await pair.lab.run(host, ['ip', '-json', 'addr', 'show', 'dev', 'sip0']);
  expect(r.code, r.stderr).toBe(0);
  const links = JSON.parse(r.stdout) as { addr_info: { local: string }[] }[];
  return links.some((l) => l.addr_info.some((a) => a.local === VIP));
}

/** Waits until the VIP is on `node`'s host and not on the other one. */
export function vipOnlyOn(pair: LabPair, node: NodeId, timeoutMs = 15_000) {
  return waitFor(
    async () => ((await holds(pair, HOST_OF[node])) && !(await holds(pair, HOST_OF[OTHER[node]])) ? true : undefined),
    timeoutMs,
    `the VIP on ${HOST_OF[node]} only`,
  );
}

/** Waits for a line with `eventId` in `node`'s log after line `from`, and returns it. */
export function logged(pair: LabPair, node: NodeId, from: number, eventId: string, timeoutMs = 15_000) {
  return waitFor(() => pair.nodeLog(node).slice(from).find((l) => l.eventId === eventId), timeoutMs, `${eventId} in the log of ${node}`);
}
