import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { CoreEvent } from '../src/events/core-events';
import { FrameDecoder, encodeFrame, type Frame } from '../src/halink/frame';
import { createNonce } from '../src/halink/handshake';
import { escapePeerText } from '../src/text/escape-peer-text';
import { TEST_SECRET, handshakenClient, onCleanup, rawClient, testPair, waitForClose, type EventLog } from './halink-support';

const SLOW = { timeout: 5000, interval: 10 };
/** What must never reach a log line, a console or an environment variable raw. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** A forged log line, a terminal escape (clear screen, set title) and a NUL. */
const HOSTILE_TEXT = 'x\n… INFO  [node-b] 01-10020 HA link to node-a up\u001b[2J\u001b]0;owned\u0007\u0000';

function expectAllFieldsClean(log: EventLog): void {
  for (const { id, fields } of log.events) {
    for (const [key, value] of Object.entries(fields)) {
      if (typeof value === 'string') expect(value, `${id}.${key}`).not.toMatch(CONTROL);
    }
  }
}

/** A fake node-b for node-a to dial: sends `hello`, then whatever `onAuth` returns. */
async function fakeAcceptor(port: number, hello: Frame, onAuth?: (auth: Frame) => Frame): Promise<void> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    onCleanup(() => void socket.destroy());
    const decoder = new FrameDecoder({ maxFrameBytes: 64 * 1024 });
    socket.write(encodeFrame(hello));
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) if (onAuth) socket.write(encodeFrame(onAuth(frame)));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

describe('escapePeerText', () => {
  it.each([
    ['node-a', 'node-a'],
    ['Zoë 🚀 日本', 'Zoë 🚀 日本'],
    ['line\nforged', 'line\\nforged'],
    ['cr\rtab\t', 'cr\\rtab\\t'],
    ['nul\u0000end', 'nul\\x00end'],
    ['\u001b[31mred\u001b[0m', '\\x1b[31mred\\x1b[0m'],
    ['bell\u0007 del\u007f c1\u009b', 'bell\\x07 del\\x7f c1\\x9b'],
    ['back\\slash \\x1b', 'back\\slash \\x1b'],
    ['rtl\u202eexe.txt', 'rtl\\u202eexe.txt'],
    ['zero\u200bwidth', 'zero\\u200bwidth'],
    ['sep\u2028ara', 'sep\\u2028ara'],
    ['lone\ud800', 'lone\\ud800'],
  ])('%j → %j', (input, output) => {
    expect(escapePeerText(input)).toBe(output);
  });

  it('cuts long text, keeping a surrogate pair whole, and says how much was cut', () => {
    expect(escapePeerText('a'.repeat(300))).toBe(`${'a'.repeat(256)}…[+44 chars]`);
    expect(escapePeerText(`ab🚀cd`, 3)).toBe('ab…[+4 chars]');
  });

  it('never throws, whatever it is given', () => {
    const hostile = { toString: () => { throw new Error('no'); } };
    expect(escapePeerText(hostile)).toBe('[unprintable]');
    expect(escapePeerText(42)).toBe('42');
  });
});

describe('HA link: text from the peer is checked or escaped before it reaches a log event', () => {
  it('refuses a node id that is not id-shaped without quoting it', async () => {
    const { b, portB } = await testPair();
    await b.link.start();
    const socket = await rawClient(portB);
    socket.write(encodeFrame({ t: 'auth', nodeId: HOSTILE_TEXT, nonce: createNonce(), mac: '0'.repeat(64) }));
    await waitForClose(socket);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([
      expect.objectContaining({
        code: 'SWY_ERR_HALINK_PROTOCOL',
        reason: '"auth" frame with a malformed nodeId (a node id is 1-63 letters, digits, "-" or "_")',
      }),
    ]);
    expectAllFieldsClean(b.log);
  });

  it('escapes a hostile cluster name and deny reason that the dialer is sent', async () => {
    const { a, portB } = await testPair({ refusalLogInterval: 0 });
    await fakeAcceptor(portB, { t: 'hello', nodeId: 'node-b', cluster: HOSTILE_TEXT, nonce: createNonce() });
    await a.link.start();
    await vi.waitFor(() => expect(a.log.of(CoreEvent.HaLinkAuthFailed)).not.toHaveLength(0), SLOW);
    const reason = String(a.log.of(CoreEvent.HaLinkAuthFailed)[0]!.reason);
    expect(reason).toContain('the peer belongs to cluster "x\\n… INFO  [node-b] 01-10020 HA link to node-a up\\x1b[2J\\x1b]0;owned\\x07\\x00"');
    expectAllFieldsClean(a.log);
  });

  it.each([
    ['SWY_ERR_HALINK_AUTH', CoreEvent.HaLinkAuthFailed, 'the peer refused our authentication: x\\n… INFO'],
    ['SWY_ERR_HALINK_AUTH\nFORGED', CoreEvent.HaLinkPeerDropped, 'the peer refused the connection (an unknown code): x\\n… INFO'],
  ])('escapes a hostile deny with code %j, and believes only a code-shaped code', async (code, eventId, expected) => {
    const { a, portB } = await testPair({ refusalLogInterval: 0 });
    await fakeAcceptor(portB, { t: 'hello', nodeId: 'node-b', cluster: 'test-cluster', nonce: createNonce() }, () => ({
      t: 'deny',
      code,
      reason: HOSTILE_TEXT,
    }));
    await a.link.start();
    await vi.waitFor(() => expect(a.log.of(eventId)).not.toHaveLength(0), SLOW);
    expect(String(a.log.of(eventId)[0]!.reason)).toContain(expected);
    expectAllFieldsClean(a.log);
  });

  it('escapes a hostile frame type from an authenticated peer in the drop and link-down events', async () => {
    const { b, portB } = await testPair();
    await b.link.start();
    const identity = { nodeId: 'node-a', cluster: 'test-cluster', peerId: 'node-b', secret: TEST_SECRET };
    const peer = await handshakenClient(portB, identity);
    await vi.waitFor(() => expect(b.link.connected).toBe(true), SLOW);
    peer.send({ t: HOSTILE_TEXT });
    await waitForClose(peer.socket);
    expect(b.log.of(CoreEvent.HaLinkDown)).toEqual([{ peer: 'node-a', reason: expect.stringContaining('unknown frame type "x\\n… INFO') }]);
    expectAllFieldsClean(b.log);
  });

  it('escapes what a JSON error quotes from a malformed frame', async () => {
    const { b, portB } = await testPair();
    await b.link.start();
    const socket = await rawClient(portB);
    const body = Buffer.from(`{"t":"auth"\n${HOSTILE_TEXT}`);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length, 0);
    socket.write(Buffer.concat([header, body]));
    await waitForClose(socket);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([expect.objectContaining({ code: 'SWY_ERR_HALINK_FRAME_INVALID' })]);
    expectAllFieldsClean(b.log);
  });
});
