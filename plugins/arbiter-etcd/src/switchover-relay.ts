import type { Clock, SwitchoverResult } from '@switchyard/sdk';
import { currentTerm, type ElectionPort } from './election-port';

/** What the two agents say to each other about a switchover, through the election's inbox. */
type Message =
  | { t: 'switchover'; id: string; reason: string; by: string }
  | { t: 'switchover-result'; id: string; result: SwitchoverResult };

/** What a {@link SwitchoverRelay} needs from its arbiter. */
export interface SwitchoverRelayOptions {
  election: Pick<ElectionPort, 'leader' | 'highestTerm' | 'send'>;
  clock: Clock;
  /** This agent's node (it names the requests). */
  localId: string;
  /** The other host's node: requests go to its agent, and only its agent's messages are heard. */
  peerId: string;
  /** Runs a switchover here, as the peer's agent asked on behalf of an operator. */
  switchoverLocally(reason: string, by: string): Promise<SwitchoverResult>;
}

/**
 * Only the primary's agent can step its node down, so an operator's
 * switchover asked on the backup's host is forwarded to it through the
 * election's inbox, and its result comes back the same way.
 */
export class SwitchoverRelay {
  private readonly pending = new Map<string, (result: SwitchoverResult) => void>();
  private nextId = 1;

  constructor(private readonly options: SwitchoverRelayOptions) {}

  /** Asks the peer's agent to switch over; settles with its answer, or a refusal if none comes. */
  async forward(reason: string, by: string): Promise<SwitchoverResult> {
    const { election, clock, localId, peerId } = this.options;
    const id = `${localId}-${this.nextId++}-${Date.now()}`;
    const timeoutMs = 10_000;
    const result = new Promise<SwitchoverResult>((resolve) => {
      const timer = clock.setTimeout(() => {
        this.pending.delete(id);
        resolve(this.refusal(`the primary's agent did not answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, (r) => {
        timer.cancel();
        this.pending.delete(id);
        resolve(r);
      });
    });
    try {
      await election.send(peerId, { t: 'switchover', id, reason, by } satisfies Message);
    } catch {
      this.pending.get(id)?.(this.refusal('could not reach the primary through etcd'));
    }
    return result;
  }

  /** A message from the inbox: a request to run here, or the answer to one forwarded. */
  onMessage(from: string, body: unknown): void {
    if (from !== this.options.peerId || typeof body !== 'object' || body === null) return;
    const m = body as Partial<Message>;
    if (m.t === 'switchover' && typeof m.id === 'string') {
      const reason = typeof m.reason === 'string' ? m.reason.slice(0, 500) : 'operator request';
      const by = typeof m.by === 'string' ? m.by.slice(0, 100) : 'operator';
      void this.options.switchoverLocally(reason, `${by} via ${from}`).then((result) =>
        this.options.election.send(from, { t: 'switchover-result', id: m.id!, result } satisfies Message).catch(() => undefined),
      );
      return;
    }
    if (m.t === 'switchover-result' && typeof m.id === 'string' && typeof m.result === 'object' && m.result !== null) {
      this.pending.get(m.id)?.(m.result as SwitchoverResult);
    }
  }

  /** Settles every forwarded switchover still waiting with a refusal. */
  cancelAll(reason: string): void {
    for (const resolve of this.pending.values()) resolve(this.refusal(reason));
    this.pending.clear();
  }

  private refusal(reason: string): SwitchoverResult {
    const { election } = this.options;
    return { ok: false, term: currentTerm(election), primary: election.leader?.nodeId ?? null, reason };
  }
}
