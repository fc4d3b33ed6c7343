import type { Clock } from '../clock';

/**
 * At most `perWindow` events per `windowMs` (on `clock.monotonic()`); the
 * next one let through says how many were suppressed before it, so a flood
 * (garbage SIP, password guessing) cannot flood the log while an alarm on
 * the event still sees it.
 */
export class EventRateLimit {
  private windowStart = Number.NEGATIVE_INFINITY;
  private count = 0;
  private suppressed = 0;

  constructor(
    private readonly clock: Clock,
    private readonly perWindow = 10,
    private readonly windowMs = 1000,
  ) {}

  /** Null when this one is suppressed, else how many were suppressed before it. */
  admit(): number | null {
    const now = this.clock.monotonic();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
    if (this.count >= this.perWindow) {
      this.suppressed += 1;
      return null;
    }
    this.count += 1;
    const before = this.suppressed;
    this.suppressed = 0;
    return before;
  }
}
