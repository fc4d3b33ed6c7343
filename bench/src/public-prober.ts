import dgram from 'node:dgram';

/** Milliseconds between probes: 1,000 requests/s. */
export const PROBE_INTERVAL_MS = 1;

export interface Probe {
  sentAt: number;
  answeredAt?: number;
  status?: number;
}

/**
 * UDP OPTIONS to one address every millisecond (a busy timer, so the rate
 * holds on a loaded event loop), each matched to its answer by Call-ID: the
 * client-visible gap and the requests that got no answer are read from it.
 */
export class PublicProber {
  private readonly socket = dgram.createSocket('udp4');
  private timer: NodeJS.Timeout | null = null;
  readonly probes: Probe[] = [];
  private localPort = 0;
  private next = 0;

  constructor(private readonly port: number) {}

  async start(): Promise<void> {
    this.socket.on('message', (msg) => {
      const text = msg.toString('latin1', 0, 400);
      const seq = Number(/Call-ID: pub-(\d+)/.exec(text)?.[1] ?? -1);
      const probe = this.probes[seq];
      if (!probe || probe.answeredAt !== undefined) return;
      probe.answeredAt = performance.now();
      probe.status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0);
    });
    this.socket.on('error', () => undefined); // ICMP port unreachable while nobody holds the address: the probe is lost, counted below
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    this.localPort = (this.socket.address() as { port: number }).port;
    this.next = performance.now();
    this.timer = setInterval(() => this.tick(), PROBE_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  /** The longest time between two consecutive 200 answers arriving within [from, to]. */
  longestGap(from: number, to: number): number {
    const arrivals = this.probes
      .filter((p) => p.status === 200 && p.answeredAt !== undefined && p.answeredAt >= from && p.answeredAt <= to)
      .map((p) => p.answeredAt!)
      .sort((a, b) => a - b);
    let gap = 0;
    for (let i = 1; i < arrivals.length; i++) gap = Math.max(gap, arrivals[i]! - arrivals[i - 1]!);
    return gap;
  }

  /**
   * The client-visible gap around an event within [from, to]: the longest
   * time between two consecutive 200s arriving, or the longest any request
   * sent in the window waited for its 200 (a request that waited in a socket
   * nobody read is answered late, not lost), whichever is longer.
   */
  clientGap(from: number, to: number): number {
    let wait = 0;
    for (const p of this.probes) {
      if (p.sentAt < from || p.sentAt > to || p.status !== 200 || p.answeredAt === undefined) continue;
      wait = Math.max(wait, p.answeredAt - p.sentAt);
    }
    return Math.max(wait, this.longestGap(from, to));
  }

  /** First 200 to a request sent after `since`. */
  first200After(since: number): Probe | undefined {
    return this.probes.find((p) => p.sentAt > since && p.status === 200);
  }

  /** Requests sent within [from, to] answered with something else than 200 (a backup's 503). */
  refused(from: number, to: number): number {
    return this.probes.filter((p) => p.sentAt >= from && p.sentAt <= to && p.status !== undefined && p.status !== 200).length;
  }

  /** Requests sent within [from, to] that got no answer at all (checked once answers had time to come). */
  lost(from: number, to: number): number {
    return this.probes.filter((p) => p.sentAt >= from && p.sentAt <= to && p.answeredAt === undefined).length;
  }

  private tick(): void {
    // Catch up on the probes a late timer turn missed, so the rate stays 1,000/s.
    const now = performance.now();
    while (this.next <= now) {
      this.send(this.next);
      this.next += PROBE_INTERVAL_MS;
    }
  }

  private send(at: number): void {
    const seq = this.probes.length;
    this.probes.push({ sentAt: Math.max(at, performance.now()) });
    const text = [
      `OPTIONS sip:probe@127.0.0.1:${this.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.localPort};branch=z9hG4bK-pub-${seq}`,
      `From: <sip:bench@127.0.0.1>;tag=p${seq}`,
      'To: <sip:probe@127.0.0.1>',
      `Call-ID: pub-${seq}`,
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    this.socket.send(text, this.port, '127.0.0.1');
  }
}
