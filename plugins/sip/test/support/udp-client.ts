import dgram from 'node:dgram';

/** A tiny SIP-over-UDP client for in-process tests: send raw text, read the raw answers. */
export class UdpProbe {
  private readonly socket = dgram.createSocket('udp4');
  private readonly inbox: string[] = [];
  private waiters: (() => void)[] = [];
  port = 0;

  async open(): Promise<this> {
    this.socket.on('message', (m) => {
      this.inbox.push(m.toString('utf8'));
      for (const w of this.waiters.splice(0)) w();
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    this.port = (this.socket.address() as { port: number }).port;
    return this;
  }

  send(port: number, text: string): void {
    this.socket.send(Buffer.from(text.replace(/\r?\n/g, '\r\n')), port, '127.0.0.1');
  }

  /** The next answer (bounded wait, real time; `tick` lets a virtual clock move meanwhile). */
  async next(timeoutMs = 2_000, tick?: () => Promise<void>): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      if (Date.now() > deadline) throw new Error('no SIP answer');
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), new Promise((r) => setTimeout(r, 20))]);
      if (tick) await tick();
    }
    return this.inbox.shift()!;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

let counter = 0;

/** A REGISTER for `user` from the probe (no Contact = query). */
export function register(probe: UdpProbe, port: number, user: string, expires?: number, withContact = true): string {
  counter += 1;
  return [
    `REGISTER sip:127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${probe.port};branch=z9hG4bK-t${counter};rport`,
    `From: <sip:${user}@127.0.0.1>;tag=f${counter}`,
    `To: <sip:${user}@127.0.0.1>`,
    `Call-ID: call-${user}-${counter}@test`,
    `CSeq: ${counter} REGISTER`,
    ...(withContact ? [`Contact: <sip:${user}@127.0.0.1:${probe.port}>`] : []),
    ...(expires === undefined ? [] : [`Expires: ${expires}`]),
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}

export function options(probe: UdpProbe, port: number): string {
  counter += 1;
  return [
    `OPTIONS sip:ping@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${probe.port};branch=z9hG4bK-o${counter}`,
    `From: <sip:probe@127.0.0.1>;tag=o${counter}`,
    `To: <sip:ping@127.0.0.1>`,
    `Call-ID: opt-${counter}@test`,
    `CSeq: 1 OPTIONS`,
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}

export const statusOf = (answer: string): number => Number(/^SIP\/2\.0 (\d{3})/.exec(answer)?.[1] ?? 0);
