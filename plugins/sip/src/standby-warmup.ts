import type { Clock, TimerHandle } from '@switchyard/sdk';
import { parseMessage, serializeMessage, type ParseLimits } from './message';
import { Registrar } from './registrar';
import { routeRequest } from './request-router';
import { ContactStore } from './store';
import { AnswerBudget, buildResponse, responseTarget } from './transport';
import type { RemoteAddress } from './transport/remote';

/** Answers run at the first round (enough for V8 to optimise the hot functions). */
export const WARMUP_FIRST_ROUND = 2_000;
/** Answers run at each later round (keeps their code from being flushed as unused). */
export const WARMUP_ROUND = 200;
/** Milliseconds between rounds while this node is not primary. */
export const WARMUP_INTERVAL_MS = 5_000;
/** Milliseconds between two looks at whether the node has its first role yet. */
export const WARMUP_ORDER_POLL_MS = 5;
/** Answers run between two yields to the event loop. */
const SLICE = 50;

/** Where the rehearsed requests claim to come from: a documentation address; nothing is ever sent. */
const REMOTE: RemoteAddress = { address: '192.0.2.1', port: 5060, transport: 'udp' };

export interface StandbyWarmupOptions {
  clock: Clock;
  /** Whether this node is primary now (rounds run only while it is not). */
  primary(): boolean;
  /**
   * Whether the node has had its first role from the arbiter (default: at
   * once). The first round waits for it: a node starting beside its peer and
   * the supervisor leaves them the CPU until the pair is formed, and a node
   * ordered primary never rehearses at all.
   */
  ordered?(): boolean;
  /** The listener's parse limits, so the rehearsal parses as the listener does. */
  limits?: Partial<ParseLimits>;
  /** Each rehearsed answer's method and status (tests). */
  observe?(method: string, status: number): void;
}

/**
 * Keeps a backup's answer path compiled. A backup answers nothing but 503s,
 * so the code that parses a request, runs the registrar and builds a 200 is
 * never run, or its compiled code is dropped as unused; on a failover the
 * new primary then answered the requests waiting in its socket at a
 * fraction of its usual speed (measured: 32 queued OPTIONS took 30 ms, one
 * ms each, where a warm node takes 40 µs). So while not primary, every
 * {@link WARMUP_INTERVAL_MS} it answers made-up REGISTERs (a new binding,
 * then its removal) and OPTIONS end to end — parse, route, registrar,
 * response, serialisation — against a registrar and store of its own,
 * never the node's bindings, and sends nothing.
 */
export class StandbyWarmup {
  private readonly store: ContactStore;
  private readonly registrar: Registrar;
  private readonly requests: Buffer[];
  private timer: TimerHandle | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private stopped = true;
  private roundsDone = 0;
  /** The next rehearsed request; a round ends where the list ends, so every REGISTER was undone. */
  private cursor = 0;

  constructor(private readonly options: StandbyWarmupOptions) {
    this.store = new ContactStore(options.clock);
    this.registrar = new Registrar({ store: this.store, clock: options.clock });
    this.requests = rehearsal();
  }

  /** Rounds completed so far. */
  get rounds(): number {
    return this.roundsDone;
  }

  /** Bindings in the rehearsal's own store between rounds (always 0: each REGISTER is undone). */
  get leftover(): number {
    return this.store.count;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    this.store.close();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.options.ordered && !this.options.ordered()) this.schedule(WARMUP_ORDER_POLL_MS);
      else if (this.options.primary()) this.schedule(WARMUP_INTERVAL_MS);
      else this.run(this.roundsDone === 0 ? WARMUP_FIRST_ROUND : WARMUP_ROUND);
    }, ms);
  }

  /** Answers `left` rehearsed requests, {@link SLICE} per event-loop turn, then waits for the next round. */
  private run(left: number): void {
    if (this.stopped) return;
    if ((left <= 0 && this.cursor === 0) || this.options.primary()) {
      if (left <= 0) this.roundsDone += 1;
      this.schedule(WARMUP_INTERVAL_MS);
      return;
    }
    const n = Math.max(1, Math.min(SLICE, left));
    for (let i = 0; i < n; i++) {
      this.answer(this.requests[this.cursor]!);
      this.cursor = (this.cursor + 1) % this.requests.length;
    }
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.run(left - n);
    });
  }

  private answer(bytes: Buffer): void {
    const parsed = parseMessage(bytes, this.options.limits);
    if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('a standby rehearsal request does not parse');
    const request = parsed.message;
    const decision = routeRequest(request, this.registrar, REMOTE, AnswerBudget.for(request, REMOTE));
    this.options.observe?.(request.method, decision.status);
    const response = buildResponse(request, decision.status, decision.reason, { remote: REMOTE, headers: decision.headers });
    responseTarget(response, REMOTE);
    serializeMessage(response);
  }
}

/** The rehearsed requests: for each of a few users a REGISTER, its removal (Expires: 0), and an OPTIONS. */
function rehearsal(): Buffer[] {
  const out: Buffer[] = [];
  for (let u = 0; u < 4; u++) {
    const user = `standby-rehearsal-${u}`;
    for (const expires of [3600, 0]) {
      out.push(
        crlf([
          'REGISTER sip:rehearsal.invalid SIP/2.0',
          `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-rehearsal-${u}-${expires};rport`,
          'Max-Forwards: 70',
          `From: <sip:${user}@rehearsal.invalid>;tag=rehearsal${u}`,
          `To: <sip:${user}@rehearsal.invalid>`,
          `Call-ID: rehearsal-${u}-${expires}@192.0.2.1`,
          // A removal needs a CSeq above the REGISTER's (same Call-ID rule does not apply: another Call-ID).
          `CSeq: ${expires === 0 ? 2 : 1} REGISTER`,
          `Contact: <sip:${user}@192.0.2.1:5060;transport=udp>;expires=${expires}`,
          'Content-Length: 0',
        ]),
      );
    }
    out.push(
      crlf([
        'OPTIONS sip:rehearsal.invalid SIP/2.0',
        `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-rehearsal-opt-${u};rport`,
        'Max-Forwards: 70',
        `From: <sip:probe@rehearsal.invalid>;tag=rehearsal-opt${u}`,
        'To: <sip:rehearsal.invalid>',
        `Call-ID: rehearsal-opt-${u}@192.0.2.1`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
      ]),
    );
  }
  return out;
}

function crlf(lines: string[]): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
}
