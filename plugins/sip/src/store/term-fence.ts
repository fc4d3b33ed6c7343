import type { Clock, TimerHandle } from '@switchyard/sdk';

/** Milliseconds a burst of refusals is counted before it is reported. */
export const REFUSAL_BURST_MS = 1000;

/** What one burst of refusals reports. */
export interface RefusalBurst {
  /** Messages (changes, base parts, snapshots) refused in the burst. */
  count: number;
  /** The node whose stream sent the last of them. */
  peer: string;
  /** Their term (of the last one). */
  term: number;
  /** This node's term then. */
  current: number;
}

export interface TermFenceOptions {
  clock: Clock;
  /** This node's term now. */
  term: () => number;
  /** Called once per burst of refusals. */
  report: (burst: RefusalBurst) => void;
}

/**
 * The receiving side's fencing by term: content of the peer's stream sent
 * at a term older than this node's is refused, nothing from the first
 * refused message on is acknowledged, and refusals are reported once per
 * burst ({@link REFUSAL_BURST_MS}), so an old primary replaying thousands
 * of retained changes costs one log line, one counter and one timer.
 */
export class TermFence {
  private refusedAt: number | undefined;
  private refusedSinceBaseFlag = false;
  /** As refusedSinceBaseFlag, but cleared only by a base. */
  private unrepaired = false;
  private burst: (RefusalBurst & { timer: TimerHandle }) | undefined;

  constructor(private readonly options: TermFenceOptions) {}

  /** True when message `seq` of stream `from`, sent at `term`, must be refused (it is then counted). */
  refuses(from: string, term: number, seq: number): boolean {
    const current = this.options.term();
    if (term >= current) return false;
    this.refusedAt = Math.min(this.refusedAt ?? seq, seq);
    this.refusedSinceBaseFlag = true;
    this.unrepaired = true;
    this.note({ count: 1, peer: nodeOf(from), term, current });
    return true;
  }

  /** The highest sequence number of the stream that may be acknowledged, given the last one seen; undefined: none. */
  ackable(lastSeenSeq: number): number | undefined {
    if (this.refusedAt === undefined) return lastSeenSeq;
    const seq = Math.min(lastSeenSeq, this.refusedAt - 1);
    return seq >= 1 ? seq : undefined;
  }

  /** Whether content of the peer was refused since the last base adopted: our copy may lack what the peer holds. */
  get refusedSinceBase(): boolean {
    return this.unrepaired;
  }

  /** Whether content was refused since the last base; asking clears it (the caller asks for a new base). */
  takeRefusedSinceBase(): boolean {
    const was = this.refusedSinceBaseFlag;
    this.refusedSinceBaseFlag = false;
    return was;
  }

  /** The peer's stream changed (a restarted peer): its numbering starts over. */
  newStream(): void {
    this.refusedAt = undefined;
  }

  /** A whole content of a current term replaced ours: nothing refused stands any more. */
  baseAdopted(): void {
    this.refusedAt = undefined;
    this.refusedSinceBaseFlag = false;
    this.unrepaired = false;
  }

  /** Reports the open burst now, if any (at stop). */
  flush(): void {
    const burst = this.burst;
    if (!burst) return;
    this.burst = undefined;
    burst.timer.cancel();
    this.options.report({ count: burst.count, peer: burst.peer, term: burst.term, current: burst.current });
  }

  private note(refusal: RefusalBurst): void {
    if (this.burst) {
      Object.assign(this.burst, refusal, { count: this.burst.count + 1 });
      return;
    }
    this.burst = { ...refusal, timer: this.options.clock.setTimeout(() => this.flush(), REFUSAL_BURST_MS) };
  }
}

/** The node a stream id names (`<node>/<random>`). */
function nodeOf(stream: string): string {
  const slash = stream.lastIndexOf('/');
  return slash > 0 ? stream.slice(0, slash) : 'the peer';
}
