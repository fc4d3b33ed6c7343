import type { Clock } from '@switchyard/sdk';

export interface BindPolicyOptions {
  clock: Clock;
  /** Seconds between bind attempts; also how long a primary that cannot bind keeps the role when the peer cannot either. */
  retryInterval: number;
  role(): 'primary' | 'backup';
  listening(): boolean;
  /** The primary cannot open the pair's public address (past its takeover window); the peer cannot tell whether it could. */
  publicFailing?(): boolean;
  /** Asks the arbiter to move the primary role to the peer, saying which address cannot be opened. */
  requestSwitchover(why: string, address: 'own' | 'public'): void;
}

/**
 * The listener-bind critical condition (00-04200): a node that cannot open
 * its SIP port stays `running`, but a primary that cannot serve gives the
 * role away — at once when the peer is listening, else after one retry
 * interval, so that when neither can bind the role alternates each retry
 * interval until one binds, and that one keeps it. The pair's public
 * address (only the primary tries it, so the backup's chances are unknown)
 * follows the alternation rule.
 */
export class BindPolicy {
  private peerListening: boolean | null = null;
  private primarySince = 0;

  constructor(private readonly options: BindPolicyOptions) {}

  /** The peer told us (over the HA link) whether it is listening; null when the link is down. */
  peerState(listening: boolean | null): void {
    this.peerListening = listening;
    this.evaluate('peer state');
  }

  /** This node became primary (or backup). */
  roleChanged(): void {
    if (this.options.role() === 'primary') this.primarySince = this.options.clock.monotonic();
    this.evaluate('role change');
  }

  /** A bind attempt failed (at start or a retry). */
  bindFailed(): void {
    this.evaluate('bind retry failed');
  }

  private evaluate(trigger: string): void {
    const { role, listening, clock, retryInterval } = this.options;
    if (role() !== 'primary') return;
    if (listening()) {
      if (this.options.publicFailing?.()) this.alternate(trigger, 'public', 'whether the backup could open it is only known once it is primary');
      return;
    }
    if (this.peerListening === true) {
      this.options.requestSwitchover(`the backup is listening (${trigger})`, 'own');
      return;
    }
    this.alternate(trigger, 'own', this.peerListening === false ? 'the backup cannot bind either' : 'the backup state is unknown');
  }

  /** Hands the role over once it was held a retry interval without binding: when neither can bind, the role alternates. */
  private alternate(trigger: string, address: 'own' | 'public', why: string): void {
    const { clock, retryInterval } = this.options;
    const held = (clock.monotonic() - this.primarySince) / 1000;
    if (trigger === 'bind retry failed' && held >= retryInterval * 0.999) {
      this.primarySince = clock.monotonic();
      this.options.requestSwitchover(`${why}; alternating every ${retryInterval}s until one binds`, address);
    }
  }
}
