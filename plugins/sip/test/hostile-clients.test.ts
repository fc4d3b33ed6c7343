/**
 * The SIP findings of issue 11, replayed with real sockets against a running
 * pair (`switchyard up`): each is now refused, and after each the primary
 * still answers sipsak's OPTIONS with 200.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterStatus, hasTool, waitFor } from '@switchyard/sdk/testing';
import { sipsakOptions } from './support/peers';
import { RawUdp, contactLines, rawRequest, startRunningPair, statusOf, tcpClient, type RunningPair } from './support/hostile';

const tools = hasTool('sipsak');

const LIMITS = {
  registrar: { maxContactsPerAor: 10, maxBindings: 300 },
  tcp: { maxConnections: 48, maxConnectionsPerSource: 8, messageTimeout: 1, idleTimeout: 30 },
};

/** Via lines that pad a request to about `bytes` (each line well under the 8 KiB line limit). */
function viaPadding(bytes: number): string[] {
  const lines: string[] = [];
  for (let i = 0; bytes > 0; i++, bytes -= 8_000) lines.push(`Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-pad${i};x=${'a'.repeat(Math.min(bytes, 8_000) - 60)}`);
  return lines;
}

describe.skipIf(!tools)('hostile SIP clients against a running pair', () => {
  let node: RunningPair;
  const sockets: RawUdp[] = [];
  const udp = async (address = '127.0.0.1'): Promise<RawUdp> => {
    const socket = await RawUdp.open(address);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    node = await startRunningPair(LIMITS);
  });
  afterAll(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await node?.stop();
  });

  /** After each finding: the primary still answers OPTIONS (sipsak, a real peer) and no switchover happened. */
  async function stillServing(): Promise<void> {
    expect((await sipsakOptions(node.primary.port)).status).toBe(200);
    const view = await clusterStatus(node.pair.file);
    expect(view.arbiter.term).toBe(node.primary.term);
    expect(view.nodes.map((n) => [n.status, n.restarts])).toEqual([
      ['running', 0],
      ['running', 0],
    ]);
  }

  it('is no reflector: an answer goes to the real sender, never to the received=/rport a request claims', async () => {
    const port = node.primary.port;
    const attacker = await udp('127.0.0.1');
    const victims = [await udp('127.0.0.2'), await udp('127.0.0.1')];
    const contacts = Array.from({ length: 10 }, (_, i) => `<sip:dev${i}@127.0.0.1:${6000 + i}>`);
    expect(statusOf(await attacker.request(port, rawRequest({ method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: 'target', from: attacker, contacts })))).toBe(200);

    for (const victim of victims) {
      // Via host equal to the source (the case that kept the client's received=), received and rport naming the victim.
      const via = `SIP/2.0/UDP 127.0.0.1:${victim.port};branch=z9hG4bK-refl${victim.port};received=${victim.address};rport=${victim.port}`;
      const invite = rawRequest({ method: 'INVITE', uri: 'sip:target@127.0.0.1', user: 'caller', from: attacker, via });
      const redirect = await attacker.request(port, invite);
      expect(statusOf(redirect)).toBe(302);
      expect(redirect).toContain(`Via: SIP/2.0/UDP 127.0.0.1:${victim.port};branch=z9hG4bK-refl${victim.port};received=127.0.0.1;rport=${attacker.port}`);
      // Amplification is bounded by the contact cap: at most 10 contacts ride on the request's own bytes.
      expect(contactLines(redirect)).toHaveLength(10);
      expect(redirect.length).toBeLessThan(invite.length + 10 * 64 + 200);
      const options = rawRequest({ method: 'OPTIONS', uri: `sip:127.0.0.1:${port}`, user: 'caller', from: attacker, via: via.replace('refl', 'opt') });
      expect(statusOf(await attacker.request(port, options))).toBe(200);
    }
    // A last round trip: anything the node had sent the victims would have arrived by now.
    expect(statusOf(await attacker.request(port, rawRequest({ method: 'OPTIONS', uri: `sip:127.0.0.1:${port}`, user: 'x', from: attacker })))).toBe(200);
    expect(victims.map((v) => v.inbox.length)).toEqual([0, 0]);
    await stillServing();
  });

  it('never stores a binding whose 200 cannot be sent (EMSGSIZE): 513, and later queries and INVITEs still get valid answers', async () => {
    const port = node.primary.port;
    const client = await udp();
    const big = (i: number) => `<sip:${'b'.repeat(950)}${i}@127.0.0.1:${9000 + i}>`;
    const register = (contacts: string[], extra: string[] = []) =>
      rawRequest({ method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: 'big', from: client, contacts, extra });
    expect(statusOf(await client.request(port, register(Array.from({ length: 9 }, (_, i) => big(i)))))).toBe(200);
    // The 10th contact from a request whose copied Vias leave no room for ten contacts in one datagram.
    const tooLarge = await client.request(port, register([big(9)], viaPadding(56_000)));
    expect(statusOf(tooLarge)).toBe(513);
    expect(tooLarge).toMatch(/\r\nWarning: 399 switchyard "the 200 would be \d+ bytes, over the 65507-byte UDP limit; nothing was stored/);

    const query = await client.request(port, register([]));
    expect(statusOf(query)).toBe(200);
    expect(contactLines(query)).toHaveLength(9);
    const invite = (extra: string[] = []) => rawRequest({ method: 'INVITE', uri: 'sip:big@127.0.0.1', user: 'caller', from: client, extra });
    expect(contactLines(await client.request(port, invite()))).toHaveLength(9);
    // An INVITE whose 302 cannot carry every contact gets the ones that fit, best first, in one valid datagram.
    const cut = await client.request(port, invite(viaPadding(60_000)));
    expect(statusOf(cut)).toBe(302);
    expect(contactLines(cut).length).toBeGreaterThan(0);
    expect(contactLines(cut).length).toBeLessThan(9);
    expect(Buffer.byteLength(cut, 'latin1')).toBeLessThanOrEqual(65_507);
    await waitFor(() => (/00-04213/.test(node.up.output()) ? true : undefined), 5_000, 'event 00-04213');
    await stillServing();
  });

  it('cuts slow TCP senders at the message deadline and serves a new client while they try to hold every slot', async () => {
    const port = node.primary.port;
    // 8 sources x 10 connections (per-source cap 8, total cap 48), each dribbling an OPTIONS one byte at a time.
    const slow: Awaited<ReturnType<typeof tcpClient>>[] = [];
    for (let s = 2; s < 10; s++) for (let c = 0; c < 10; c++) slow.push(await tcpClient(port, `127.0.0.${s}`));
    const head = Buffer.from(`OPTIONS sip:127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-slow\r\n`);
    let offset = 0;
    const drip = setInterval(() => {
      if (offset >= head.length) return;
      for (const connection of slow) if (!connection.closed()) connection.socket.write(head.subarray(offset, offset + 1));
      offset += 1;
    }, 100);
    try {
      // A new client from another address is served at once, while the slow ones are still open.
      const fresh = await tcpClient(port, '127.0.0.20');
      fresh.socket.write(rawRequest({ method: 'OPTIONS', uri: `sip:127.0.0.1:${port}`, user: 'fresh', from: { address: '127.0.0.20', port: fresh.socket.localPort! }, transport: 'TCP' }));
      await waitFor(() => (statusOf(fresh.received()) === 200 ? true : undefined), 5_000, 'the new TCP client’s 200');
      fresh.socket.destroy();
      // Every slow connection is refused or cut: the deadline is 1 s from a message's first byte.
      await waitFor(() => (slow.every((c) => c.closed()) ? true : undefined), 5_000, 'every slow sender to be disconnected');
      expect(offset).toBeLessThan(head.length); // cut before their message could complete
    } finally {
      clearInterval(drip);
      for (const connection of slow) connection.socket.destroy();
    }
    // refused over the per-source cap, and cut at the deadline (not only to make room)
    const cutAtDeadline = /00-04215 SIP TCP connection from 127\.0\.0\.\d+:\d+ closed: a message begun 1 s ago is still incomplete/;
    await waitFor(() => (/00-04214/.test(node.up.output()) && cutAtDeadline.test(node.up.output()) ? true : undefined), 5_000, 'events 00-04214 and 00-04215 (deadline)');
    await stillServing();
  });
  // Last: it fills the binding table.
  it('refuses a contact flood at the per-AOR and total caps (403 / 503 with a log event), and the node keeps its term', async () => {
    const port = node.primary.port;
    const client = await udp();
    // 3,000 contacts for one AOR, 10 per REGISTER (the finding: 820 ms a REGISTER at 3,000, switchovers at 6,000)
    const statuses = new Map<number, number>();
    let warning = '';
    for (let r = 0; r < 300; r++) {
      const contacts = Array.from({ length: 10 }, (_, i) => `<sip:flood${r * 10 + i}@127.0.0.1:${7000 + i}>`);
      const answer = await client.request(port, rawRequest({ method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: 'flood', from: client, contacts }));
      statuses.set(statusOf(answer), (statuses.get(statusOf(answer)) ?? 0) + 1);
      if (statusOf(answer) === 403) warning ||= answer;
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 1, 403: 299 });
    expect(warning).toMatch(/\r\nWarning: 399 switchyard "at most 10 contacts per address-of-record/);
    const query = await client.request(port, rawRequest({ method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: 'flood', from: client }));
    expect(contactLines(query)).toHaveLength(10);

    // Many AORs: the node holds at most maxBindings (300) in all.
    const full: string[] = [];
    for (let a = 0; a < 40; a++) {
      const contacts = Array.from({ length: 10 }, (_, i) => `<sip:aor${a}-${i}@127.0.0.1:${8000 + i}>`);
      const answer = await client.request(port, rawRequest({ method: 'REGISTER', uri: `sip:127.0.0.1:${port}`, user: `many${a}`, from: client, contacts }));
      if (statusOf(answer) === 503) full.push(answer);
      else expect(statusOf(answer)).toBe(200);
    }
    expect(full.length).toBeGreaterThan(0);
    expect(full[0]).toMatch(/\r\nRetry-After: \d+\r\n/);
    const bindings = (await node.sip()).bindings;
    expect(bindings).toBeLessThanOrEqual(300);
    expect(bindings).toBeGreaterThanOrEqual(290);
    await waitFor(() => (/00-04211/.test(node.up.output()) && /00-04212/.test(node.up.output()) ? true : undefined), 5_000, 'events 00-04211 and 00-04212');
    await stillServing();
  });
});
