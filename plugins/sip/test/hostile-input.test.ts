import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, clusterStatus, hasTool, startUp, waitFor, waitForPair, type UpProcess } from '@switchyard/sdk/testing';
import { sipsakOptions } from './support/peers';
import { sipOf, writeSipPairConfig } from '../src/testing';

const tools = hasTool('sipsak');

function sendUdp(port: number, payloads: Buffer[]): Promise<void> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    let left = payloads.length;
    for (const p of payloads) {
      socket.send(p, port, '127.0.0.1', () => {
        left -= 1;
        if (left === 0) socket.close(() => resolve());
      });
    }
  });
}

function sendTcp(port: number, payload: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => resolve()); // the node may drop us mid-write: that is the point
    socket.on('close', () => resolve());
    socket.on('connect', () => {
      socket.end(payload);
    });
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, 3_000);
  });
}

describe.skipIf(!tools)('hostile SIP input (real processes)', () => {
  let up: UpProcess | undefined;
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    expect(await up?.stop()).toBe(0);
    up = undefined;
  });

  it('drops random bytes and oversized datagrams and streams on both transports, and keeps answering OPTIONS', async () => {
    const pair = await writeSipPairConfig();
    up = startUp(pair.file);
    const first = await waitForPair(pair.file);
    await waitFor(async () => ((await clusterStatus(pair.file)).nodes.every((n) => sipOf(n)?.listening) ? true : undefined), 10_000, 'listeners');
    for (const port of Object.values(pair.ports)) {
      await sendUdp(port, [
        ...Array.from({ length: 50 }, (_, i) => randomBytes(1 + ((i * 97) % 1400))),
        Buffer.alloc(65_000, 0x41),
        Buffer.from('OPTIONS sip:x SIP/2.0\r\nContent-Length: 99999\r\n\r\n'),
      ]);
      await sendTcp(port, randomBytes(4096));
      await sendTcp(port, Buffer.concat([Buffer.from('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: '), Buffer.alloc(200_000, 0x61)]));
      await sendTcp(port, Buffer.from('INVITE sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: 100000000\r\n\r\nabc'));
    }
    const primaryPort = pair.ports[first.primary.id as 'sip-a' | 'sip-b'];
    const backupPort = pair.ports[first.backup.id as 'sip-a' | 'sip-b'];
    expect((await sipsakOptions(primaryPort)).status).toBe(200);
    expect((await sipsakOptions(backupPort)).status).toBe(503);
    const v = await clusterStatus(pair.file);
    expect(v.nodes.map((n) => [n.status, n.restarts])).toEqual([
      ['running', 0],
      ['running', 0],
    ]);
    expect(v.arbiter.term).toBe(first.primary.term);
    expect(up.output()).toMatch(/00-04210 Malformed SIP message from 127\.0\.0\.1:\d+ over (udp|tcp)/);
  });
});
