/**
 * Exponential retry delay with jitter: first ≈ `firstMs`, doubling up to
 * `maxMs`. Same shape as core's HA-link backoff, which the SDK does not
 * export; ± `jitter` keeps two agents that lost etcd together from retrying in step.
 */
export class RetryDelay {
  private attempt = 0;

  constructor(
    private readonly firstMs = 100,
    private readonly maxMs = 1000,
    private readonly jitter = 0.2,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt, in milliseconds. */
  next(): number {
    const base = Math.min(this.maxMs, this.firstMs * 2 ** this.attempt);
    if (base < this.maxMs) this.attempt++;
    const spread = 1 - this.jitter + 2 * this.jitter * this.random();
    return Math.round(Math.min(this.maxMs, base * spread));
  }

  /** After a success: start again from `firstMs`. */
  reset(): void {
    this.attempt = 0;
  }
}
