import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { CoreEvent } from '../src/events/core-events';
import { encodeFrame } from '../src/halink/frame';
import { freePort, onCleanup, testPair } from './halink-support';

const SLOW = { timeout: 5000, interval: 10 };

/**
 * Someone on the path between node-a (dialer) and node-b: relays both ways,
 * cuts node-a's stream into frames so it can add, alter or repeat one at a
 * frame boundary, as an attacker who can write to the TCP stream would.
 */
class PathAttacker {
  /** Frames node-a sent on the current connection, as relayed. */
  readonly fromA: Buffer[] = [];
  private toB: net.Socket | undefined;
  private alterNext = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<PathAttacker> {
    let attacker: PathAttacker | undefined;
    const server = net.createServer((client) => attacker!.relay(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    attacker = new PathAttacker(server, (server.address() as net.AddressInfo).port);
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return attacker;
  }

  /** Writes bytes into the stream towards node-b, between two of node-a's frames. */
  inject(bytes: Buffer): void {
    this.toB!.write(bytes);
  }

  /** Flips one bit in the payload of node-a's next frame. */
  alterNextFrame(): void {
    this.alterNext = true;
  }

  private relay(client: net.Socket, targetPort: number): void {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    this.fromA.length = 0;
    this.toB = upstream;
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
        const frame = Buffer.from(pending.subarray(0, 4 + pending.readUInt32BE(0)));
        pending = pending.subarray(frame.length);
        this.fromA.push(Buffer.from(frame));
        if (this.alterNext) {
          this.alterNext = false;
          frame[frame.length - 40] = frame[frame.length - 40]! ^ 0x04; // a byte of the JSON payload, before the 32-byte tag
        }
        upstream.write(frame);
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    for (const socket of [client, upstream]) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    onCleanup(() => {
      client.destroy();
      upstream.destroy();
    });
  }
}

const attacks = {
  'an injected change frame': (path: PathAttacker) =>
    path.inject(encodeFrame({ t: 'msg', channel: 'test.changes', seq: 2, data: 'forged' })),
  'an altered frame': (path: PathAttacker) => path.alterNextFrame(),
  'a replayed frame': (path: PathAttacker) => path.inject(path.fromA.at(-1)!),
};

describe('HA link: every frame after the handshake is authenticated', () => {
  it.each(Object.keys(attacks) as Array<keyof typeof attacks>)(
    'refuses %s on a live link with 01-10022, closes the link, and the peer reconnects',
    async (attack) => {
      const portB = await freePort();
      const path = await PathAttacker.start(portB);
      const { a, b } = await testPair({ peer: { id: 'node-b', host: '127.0.0.1', port: path.port } }, { listen: { host: '127.0.0.1', port: portB } });
      const received: unknown[] = [];
      const sent = a.link.channel<string>('test.changes');
      b.link.channel<string>('test.changes').onMessage((message) => received.push(message));
      await b.link.start();
      await a.link.start();
      await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);
      sent.send('real-1');
      await vi.waitFor(() => expect(received).toEqual(['real-1']), SLOW);

      attacks[attack](path);
      await vi.waitFor(() => expect(b.log.of(CoreEvent.HaLinkDown)).toHaveLength(1), SLOW);
      expect(b.log.of(CoreEvent.HaLinkAuthFailed)).toEqual([
        {
          remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
          code: 'SWY_ERR_HALINK_AUTH',
          reason: expect.stringMatching(/wrong MAC|arrived where #\d+ was due/),
        },
      ]);
      expect(b.log.of(CoreEvent.HaLinkDown)[0]!.reason).toMatch(/a frame failed authentication/);

      // node-a dials again, through the same path, and the stream resumes where it was.
      await vi.waitFor(() => expect(a.log.of(CoreEvent.HaLinkUp)).toHaveLength(2), SLOW);
      sent.send('real-2');
      a.state.term = 7;
      await vi.waitFor(() => expect(received).toEqual(['real-1', 'real-2']), SLOW);
      await vi.waitFor(() => expect(b.link.peerState()?.term).toBe(7), SLOW);
      expect(received).not.toContain('forged');
    },
  );
});
