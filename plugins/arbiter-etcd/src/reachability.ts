import type { ArbiterPort, Clock } from '@switchyard/sdk';
import { EtcdArbiterEvent } from './events';

/**
 * 01-30001 once etcd has been unreachable for a while (a failed call or a
 * member restarting is not yet news), 01-30002 when it answers again after that.
 */
export class ReachabilityReport {
  private startedAt = 0;
  /** Monotonic ms since which etcd has been unreachable (null: reachable). */
  private unreachableSince: number | null = null;
  private reportedUnreachable = false;

  constructor(
    private readonly clock: Clock,
    private readonly port: Pick<ArbiterPort, 'emit'>,
    private readonly endpoints: readonly string[],
    /** The etcd request timeout, in seconds. */
    private readonly requestTimeout: number,
    /** What the primary does meanwhile, as 01-30001 says it. */
    private readonly policy: string,
  ) {}

  /** The agent starts: an outage is counted from no earlier than now. */
  start(): void {
    this.startedAt = this.clock.monotonic();
  }

  notice(connected: boolean): void {
    const now = this.clock.monotonic();
    if (connected) {
      this.unreachableSince = null;
      if (this.reportedUnreachable) {
        this.reportedUnreachable = false;
        this.port.emit(EtcdArbiterEvent.Reachable, { endpoints: this.endpoints.join(',') });
      }
      return;
    }
    this.unreachableSince ??= Math.max(now, this.startedAt);
    if (!this.reportedUnreachable && now - this.unreachableSince >= Math.max(1000, this.requestTimeout * 2000)) {
      this.reportedUnreachable = true;
      this.port.emit(EtcdArbiterEvent.Unreachable, { endpoints: this.endpoints.join(','), policy: this.policy });
    }
  }
}
