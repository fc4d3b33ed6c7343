import type { Clock, TimerHandle } from '../clock';

/**
 * The arbiter's grant to a primary: a deadline (`clock.monotonic()` ms, the
 * host's CLOCK_MONOTONIC) until which it may serve, or none (no limit). It
 * answers "may I serve now?" at the moment of asking, and calls `onLapse`
 * when the deadline passes while armed.
 */
export class PrimaryGrant {
  private until: number | null = null;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onLapse: (lateMs: number) => void,
  ) {}

  set(until: number | null): void {
    this.until = until;
  }

  /** Whether the grant holds at this moment (always, without a deadline). */
  holds(): boolean {
    return this.until === null || this.clock.monotonic() < this.until;
  }

  /** Watches the deadline while `active` (the node is primary and running); stops watching otherwise. */
  arm(active: boolean): void {
    this.cancel();
    if (!active || this.until === null) return;
    const left = this.until - this.clock.monotonic();
    if (left <= 0) this.fire();
    else this.timer = this.clock.setTimeout(() => this.fire(), left);
  }

  cancel(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private fire(): void {
    if (this.until === null) return;
    const late = this.clock.monotonic() - this.until;
    if (late < 0) return this.arm(true);
    this.onLapse(late);
  }
}
