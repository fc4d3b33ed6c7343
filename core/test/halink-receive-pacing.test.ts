import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { LinkConnection, RECEIVE_TURN_BYTES, type ConnectionContext } from '../src/halink/connection';
import { FrameDecoder, encodeFrame, type Frame } from '../src/halink/frame';
import { ClientHandshake } from '../src/halink/handshake';
import { FrameOpener, FrameSealer } from '../src/halink/session';
import { TEST_SECRET } from './halink-support';

/** The parts of a net.Socket a connection uses: what it writes is kept, and the test says what arrives and when. */
class FakeSocket extends EventEmitter {
  readonly written: Buffer[] = [];
  paused = false;
  pauses = 0;
  destroyed = false;
  setNoDelay(): this {
    return this;
  }
  write(bytes: Buffer): boolean {
    this.written.push(Buffer.from(bytes));
    return true;
  }
  cork(): void {}
  uncork(): void {}
  pause(): this {
    if (!this.paused) this.pauses++;
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  end(): void {}
  destroy(): void {
    this.destroyed = true;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An accepted connection over a fake socket, with the real handshake done by a hand-driven client: returns a sealer for the client's frames. */
function established() {
  const socket = new FakeSocket();
  const clock = new ManualClock();
  const frames: Array<{ frame: Frame; turn: number }> = [];
  let turn = 0;
  const context: ConnectionContext = {
    identity: { nodeId: 'node-b', cluster: 'c', peerId: 'node-a', secret: TEST_SECRET },
    clock,
    maxFrameBytes: 1024 * 1024,
    handshakeTimeoutMs: 1000,
    heartbeatIntervalMs: 1000,
    silenceLimitMs: 3000,
    emit: () => undefined,
    report: () => undefined,
    heartbeat: () => undefined,
  };
  const connection = new LinkConnection(socket as unknown as Socket, 'accepted', '127.0.0.1:1', '127.0.0.1', context, {
    established: () => true,
    frame: (_c, frame) => frames.push({ frame, turn }),
    closed: () => undefined,
  });
  const client = new ClientHandshake({ nodeId: 'node-a', cluster: 'c', peerId: 'node-b', secret: TEST_SECRET });
  const decoder = new FrameDecoder({ maxFrameBytes: 1024 * 1024 });
  const fromServer = () => {
    const out: Frame[] = [];
    for (const bytes of socket.written.splice(0)) for (const f of decoder.push(bytes)) out.push(f);
    return out;
  };
  const [hello] = fromServer();
  socket.emit('data', encodeFrame(client.answer(hello!)));
  const [welcome] = fromServer();
  client.confirm(welcome!);
  const keys = client.sessionKeys();
  decoder.useOpener(new FrameOpener(keys.receive));
  const sealer = new FrameSealer(keys.send);
  const seal = (frame: Frame) => Buffer.concat(sealer.seal(encodeFrame(frame)));
  return { socket, connection, frames, seal, nextTurnDone: async () => (turn++, await nextTurn()) };
}

describe('HaLink connection: a backlog is read a slice a turn', () => {
  it('handles at most RECEIVE_TURN_BYTES of frames in one turn, pausing the socket until the rest is handled, in order', async () => {
    const { socket, connection, frames, seal, nextTurnDone } = established();
    expect(connection.authenticated).toBe(true);
    // 2 MiB of 16 KiB frames arriving in one read, as after a stop (SIGSTOP) or a resync.
    const pad = 'x'.repeat(16 * 1024);
    const backlog = Buffer.concat(Array.from({ length: 128 }, (_, n) => seal({ t: 'msg', n, pad })));
    socket.emit('data', backlog);
    const perTurn = Math.ceil(RECEIVE_TURN_BYTES / (16 * 1024));
    expect(frames.length).toBeGreaterThanOrEqual(perTurn - 1);
    expect(frames.length).toBeLessThanOrEqual(perTurn + 1);
    expect(socket.paused).toBe(true);
    let turns = 1;
    while (frames.length < 128) {
      await nextTurnDone();
      turns++;
      expect(turns).toBeLessThan(64);
    }
    expect(frames.map((f) => f.frame.n)).toEqual(Array.from({ length: 128 }, (_, n) => n));
    const counts = new Map<number, number>();
    for (const { turn } of frames) counts.set(turn, (counts.get(turn) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(perTurn + 1);
    expect(counts.size).toBeGreaterThanOrEqual(128 / (perTurn + 1));
    await nextTurn();
    expect(socket.paused).toBe(false); // read on once the backlog is handled
  });

  it('reads a small burst in the turn it arrives, without pausing', () => {
    const { socket, frames, seal } = established();
    socket.emit('data', Buffer.concat(Array.from({ length: 10 }, (_, n) => seal({ t: 'msg', n }))));
    expect(frames).toHaveLength(10);
    expect(socket.pauses).toBe(0);
  });

  it('handles what is left of a backlog when the peer closes, rather than dropping it', () => {
    const { socket, frames, seal } = established();
    const pad = 'x'.repeat(16 * 1024);
    socket.emit('data', Buffer.concat(Array.from({ length: 64 }, (_, n) => seal({ t: 'msg', n, pad }))));
    expect(frames.length).toBeLessThan(64);
    socket.emit('close');
    expect(frames.map((f) => f.frame.n)).toEqual(Array.from({ length: 64 }, (_, n) => n));
  });
});
