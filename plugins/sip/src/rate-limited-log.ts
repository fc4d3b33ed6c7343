import type { Clock } from '@switchyard/sdk';

/**
 * Lets at most `perWindow` events through per `windowMs`, and reports how
 * many were suppressed with the next one let through, so a flood of garbage
 * cannot flood the log.
 */
export class RateLimitedLog {
  private windowStart = 0;
  private count = 0;
  private suppressed = 0;

  constructor(
    private readonly clock: Clock,
    private readonly perWindow = 10,
    private readonly windowMs = 1000,
  ) {}

  /** Returns null when this one is suppressed, else how many were suppressed before it. */
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
