import type { Clock } from '@switchyard/sdk';
import type { SipHooks } from '@switchyard/plugin-sip';

/**
 * When this node last received a SIP message — any request or response,
 * the probes' answers included. The SIP plugin calls the `message` hook for
 * every message, so the tap does O(1) work: it stores the monotonic time.
 */
export class SilenceTracker {
  private last: number | null = null;

  constructor(private readonly clock: Clock) {}

  /** Taps the SIP plugin's `message` hook; `onMessage` runs for every message too, and must be O(1). */
  listen(hooks: SipHooks, onMessage: () => void): void {
    hooks.message.tap('sip-pass-check', () => {
      this.last = this.clock.monotonic();
      onMessage();
    });
  }

  /** Monotonic ms of the last message, null before the first. */
  get lastMessageAt(): number | null {
    return this.last;
  }

  /** Milliseconds without a message, counted from `since` (monotonic ms) at the earliest. */
  silenceSince(since: number): number {
    return this.clock.monotonic() - Math.max(since, this.last ?? since);
  }

  /** Seconds since the last message, null when none arrived yet. */
  secondsSinceLastMessage(): number | null {
    return this.last === null ? null : (this.clock.monotonic() - this.last) / 1000;
  }
}
