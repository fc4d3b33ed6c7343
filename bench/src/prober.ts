import dgram from 'node:dgram';

export interface ProbeAnswer {
  /** performance.now() when it arrived. */
  at: number;
  port: number;
  status: number;
}

/**
 * Sends a SIP OPTIONS over UDP every `intervalMs` to each port and records
 * every answer with its arrival time: the failover gap is read from these.
 * Bounded: it stops by itself after `maxMs`.
 */
export class OptionsProber {
  private readonly socket = dgram.createSocket('udp4');
  private timer: NodeJS.Timeout | null = null;
  private stopTimer: NodeJS.Timeout | null = null;
  private seq = 0;
  readonly answers: ProbeAnswer[] = [];
  private localPort = 0;

  constructor(
    private readonly ports: number[],
    private readonly intervalMs = 10,
    private readonly maxMs = 120_000,
  ) {}

  async start(): Promise<void> {
    this.socket.on('message', (msg, rinfo) => {
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(msg.toString('latin1', 0, 20))?.[1] ?? 0);
      this.answers.push({ at: performance.now(), port: rinfo.port, status });
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    this.localPort = (this.socket.address() as { port: number }).port;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.stopTimer = setTimeout(() => this.stop(), this.maxMs);
  }

  /** First answer with `status` from `port` that arrived after `since`. */
  firstAfter(since: number, port: number, status: number): ProbeAnswer | undefined {
    return this.answers.find((a) => a.at >= since && a.port === port && a.status === status);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.timer = null;
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private tick(): void {
    for (const port of this.ports) {
      this.seq += 1;
      const text = [
        `OPTIONS sip:probe@127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${this.localPort};branch=z9hG4bK-bench-${this.seq}`,
        `From: <sip:bench@127.0.0.1>;tag=b${this.seq}`,
        `To: <sip:probe@127.0.0.1>`,
        `Call-ID: bench-${this.seq}@127.0.0.1`,
        `CSeq: 1 OPTIONS`,
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      this.socket.send(text, port, '127.0.0.1');
    }
  }
}
